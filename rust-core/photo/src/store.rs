//! Content-addressed storage with crash-safe writes: a file appears under its final name
//! only complete and on disk (temp file in the same directory, fsync, rename, fsync dir).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::PhotoError;

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Stores `bytes` as `dir/name` unless a file of that name and size is already there
/// (names are content hashes, and no partial file can ever carry one).
pub(crate) fn store(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, PhotoError> {
    let path = dir.join(name);
    if let Ok(meta) = fs::metadata(&path) {
        if meta.is_file() && meta.len() == bytes.len() as u64 {
            return Ok(path);
        }
    }
    // Hidden, unique per process and call; never mistaken for a stored photo.
    let temp = dir.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_synced(&temp, bytes)
        .and_then(|()| fs::rename(&temp, &path).map_err(|e| PhotoError::io("đổi tên", &path, e)));
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(dir)?;
    Ok(path)
}

fn write_synced(temp: &Path, bytes: &[u8]) -> Result<(), PhotoError> {
    let err = |e| PhotoError::io("ghi", temp, e);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)
        .map_err(err)?;
    file.write_all(bytes).map_err(err)?;
    file.sync_all().map_err(err)
}

/// Makes the rename itself durable (POSIX needs the directory synced).
fn sync_dir(dir: &Path) -> Result<(), PhotoError> {
    // Other systems cannot open a directory like this (nor need to).
    if cfg!(unix) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| PhotoError::io("đồng bộ thư mục", dir, e))?;
    }
    Ok(())
}
