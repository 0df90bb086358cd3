//! Compiles the part of libtomcrypt that SQLCipher's libtomcrypt provider uses.
//!
//! SQLCipher itself is compiled by libsqlite3-sys with `-DSQLCIPHER_CRYPTO_LIBTOMCRYPT`
//! (LIBSQLITE3_FLAGS in `.cargo/config.toml`) and `include/` on its include path
//! (OPENSSL_INCLUDE_DIR there): that is why `include/` is a copy of libtomcrypt's headers, and
//! why this script refuses to build when the copy differs from the sources compiled here
//! (both sides must agree on the layout of libtomcrypt's state structs).

use std::path::Path;

/// The files SQLCipher's provider needs (AES, CBC, SHA-1/256/512, HMAC, PBKDF2, Fortuna and
/// the /dev/urandom reader that seeds it, the descriptor tables). The linker keeps only
/// what is called.
const WANTED: &[&str] = &[
    "ciphers/aes/",
    "hashes/sha1.c",
    "hashes/sha2/sha256.c",
    "hashes/sha2/sha512.c",
    "hashes/helper/hash_memory.c",
    "mac/hmac/",
    "modes/cbc/",
    "prngs/fortuna.c",
    "prngs/rng_get_bytes.c",
    "misc/crypt/",
    "misc/pkcs5/",
    "misc/burn_stack.c",
    "misc/compare_testvector.c",
    "misc/error_to_string.c",
    "misc/mem_neq.c",
    "misc/zeromem.c",
];

fn main() {
    let source = sqlcipher_src::source_dir();
    let upstream_headers = source.join(sqlcipher_src::LIBTOMCRYPT_INCLUDE_DIR);
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    println!("cargo:rerun-if-changed=include");
    for entry in std::fs::read_dir(&upstream_headers).expect("libtomcrypt headers") {
        let path = entry.expect("libtomcrypt header").path();
        let name = path.file_name().expect("file name");
        let copy = ours.join(name);
        let same = std::fs::read(&path).ok() == std::fs::read(&copy).ok();
        assert!(
            same,
            "{} differs from libtomcrypt {}'s header: copy {} there again",
            copy.display(),
            sqlcipher_src::LIBTOMCRYPT_VERSION,
            path.display()
        );
    }

    let mut build = cc::Build::new();
    build
        .include(&upstream_headers)
        .define("LTC_SOURCE", None)
        .warnings(false);
    let mut count = 0;
    for file in sqlcipher_src::LIBTOMCRYPT_SOURCES {
        let inside = file.trim_start_matches("libtomcrypt/");
        if inside.contains("register_all") || !WANTED.iter().any(|w| inside.starts_with(w)) {
            continue;
        }
        build.file(source.join(file));
        count += 1;
    }
    assert!(
        count > 20,
        "libtomcrypt's file list changed: only {count} files matched"
    );
    build.compile("chibo_tomcrypt");
}
