//! The DOCX package: the parts docx-rs lays out, written into a ZIP archive here.
//!
//! docx-rs packs with the `zip` crate, whose writer links every compression method it
//! was built with (zopfli and zlib-rs deflate through docx-rs's `deflate` feature), even
//! though docx-rs stores every part uncompressed. The same archive written here is a
//! hundred lines and none of those encoders in the phone's library. Same entries, same
//! order, stored (method 0), as docx-rs wrote them.

use docx_rs::XMLDocx;

/// A ZIP archive of stored (uncompressed) entries, without ZIP64: a document is far
/// below the 4 GiB and 65,535-entry limits, and a larger one is refused.
#[derive(Default)]
struct StoredZip {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

/// Version 2.0 (deflate and directories), made on Unix (high byte 3).
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
const VERSION_NEEDED: u16 = 20;
/// Flag bit 11: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;
/// MS-DOS date of 1980-01-01 at 00:00 (the ZIP epoch; the parts carry no time of their
/// own, as with docx-rs).
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;
/// Unix modes in the high half of the external attributes: files 0o755 as docx-rs set
/// them, directories 0o755 with the directory bit and MS-DOS's directory attribute.
const FILE_ATTRIBUTES: u32 = (0o100_755 << 16) as u32;
const DIRECTORY_ATTRIBUTES: u32 = ((0o040_755 << 16) | 0x10) as u32;

impl StoredZip {
    fn directory(&mut self, name: &str) -> Result<(), String> {
        let name = if name.ends_with('/') {
            name.to_owned()
        } else {
            format!("{name}/")
        };
        self.entry(&name, &[], DIRECTORY_ATTRIBUTES)
    }

    fn file(&mut self, name: &str, content: &[u8]) -> Result<(), String> {
        self.entry(name, content, FILE_ATTRIBUTES)
    }

    fn entry(&mut self, name: &str, content: &[u8], attributes: u32) -> Result<(), String> {
        let too_big = || format!("{name}: quá lớn cho tệp ZIP");
        let offset = u32::try_from(self.out.len()).map_err(|_| too_big())?;
        let size = u32::try_from(content.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_big())?;
        self.entries = self.entries.checked_add(1).ok_or_else(too_big)?;
        let crc = crc32(content);

        let local = &mut self.out;
        put32(local, 0x0403_4b50);
        put16(local, VERSION_NEEDED);
        put16(local, UTF8_NAMES);
        put16(local, 0); // stored
        put16(local, DOS_TIME);
        put16(local, DOS_DATE);
        put32(local, crc);
        put32(local, size); // compressed
        put32(local, size);
        put16(local, name_len);
        put16(local, 0); // no extra field
        local.extend_from_slice(name.as_bytes());
        local.extend_from_slice(content);

        let central = &mut self.central;
        put32(central, 0x0201_4b50);
        put16(central, VERSION_MADE_BY);
        put16(central, VERSION_NEEDED);
        put16(central, UTF8_NAMES);
        put16(central, 0);
        put16(central, DOS_TIME);
        put16(central, DOS_DATE);
        put32(central, crc);
        put32(central, size);
        put32(central, size);
        put16(central, name_len);
        put16(central, 0); // extra
        put16(central, 0); // comment
        put16(central, 0); // disk
        put16(central, 0); // internal attributes
        put32(central, attributes);
        put32(central, offset);
        central.extend_from_slice(name.as_bytes());
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, String> {
        let too_big = || "tệp ZIP quá lớn".to_owned();
        let central_offset = u32::try_from(self.out.len()).map_err(|_| too_big())?;
        let central_size = u32::try_from(self.central.len()).map_err(|_| too_big())?;
        self.out.append(&mut self.central);
        let out = &mut self.out;
        put32(out, 0x0605_4b50);
        put16(out, 0); // this disk
        put16(out, 0); // the central directory's disk
        put16(out, self.entries);
        put16(out, self.entries);
        put32(out, central_size);
        put32(out, central_offset);
        put16(out, 0); // no comment
        Ok(self.out)
    }
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// CRC-32 (IEEE 802.3, as ZIP uses), by crc32fast (already linked for flate2).
fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// The package's parts in docx-rs's order (`docx_rs::XMLDocx::pack`); headers, footers,
/// media, task panes and custom XML are refused, since these documents have none.
pub(crate) fn pack(xml: XMLDocx) -> Result<Vec<u8>, String> {
    if !(xml.headers.is_empty()
        && xml.footers.is_empty()
        && xml.media.is_empty()
        && xml.taskpanes.is_none()
        && xml.custom_items.is_empty())
    {
        return Err("phần của tài liệu chưa được hỗ trợ (đầu trang, ảnh, ...)".into());
    }
    let mut zip = StoredZip::default();
    for directory in ["word/", "word/_rels", "_rels/", "docProps/"] {
        zip.directory(directory)?;
    }
    let parts: [(&str, &[u8]); 14] = [
        ("[Content_Types].xml", &xml.content_type),
        ("_rels/.rels", &xml.rels),
        ("docProps/app.xml", &xml.doc_props.app),
        ("docProps/core.xml", &xml.doc_props.core),
        ("docProps/custom.xml", &xml.doc_props.custom),
        ("word/_rels/document.xml.rels", &xml.document_rels),
        ("word/document.xml", &xml.document),
        ("word/styles.xml", &xml.styles),
        ("word/settings.xml", &xml.settings),
        ("word/fontTable.xml", &xml.font_table),
        ("word/comments.xml", &xml.comments),
        ("word/numbering.xml", &xml.numberings),
        ("word/commentsExtended.xml", &xml.comments_extended),
        ("word/footnotes.xml", &xml.footnotes),
    ];
    for (name, content) in parts {
        zip.file(name, content)?;
    }
    zip.finish()
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use docx_rs::{Docx, Paragraph, Run};

    use super::*;

    fn entries(bytes: &[u8]) -> Vec<(String, bool, Option<u32>, Vec<u8>)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a valid archive");
        (0..archive.len())
            .map(|n| {
                let mut file = archive.by_index(n).unwrap();
                assert_eq!(file.compression(), zip::CompressionMethod::Stored);
                let mut content = Vec::new();
                file.read_to_end(&mut content).unwrap(); // checks the CRC too
                (
                    file.name().to_owned(),
                    file.is_dir(),
                    file.unix_mode(),
                    content,
                )
            })
            .collect()
    }

    #[test]
    fn the_package_holds_what_docx_rs_packs() {
        let docx = Docx::new().add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("Biên bản sinh hoạt chi bộ — Ơn, Đức")),
        );
        let mut theirs = Cursor::new(Vec::new());
        docx.clone().build().pack(&mut theirs).unwrap();
        let ours = pack(docx.build()).unwrap();
        let (theirs, ours) = (entries(theirs.get_ref()), entries(&ours));
        assert_eq!(theirs.len(), 18);
        for (a, b) in theirs.iter().zip(&ours) {
            assert_eq!((&a.0, a.1), (&b.0, b.1));
            assert_eq!(a.3, b.3, "{}", a.0);
            // Files keep docx-rs's mode; directories are marked as such.
            if !a.1 {
                assert_eq!(b.2, Some(0o100_755), "{}", a.0);
            }
        }
        assert_eq!(theirs.len(), ours.len());
    }

    #[test]
    fn crc32_is_the_ieee_one() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
