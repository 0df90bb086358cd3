//! SQLCipher's crypto for chibo, without OpenSSL.
//!
//! SQLCipher (built by libsqlite3-sys) calls libtomcrypt through SQLCipher's own
//! libtomcrypt provider; this crate compiles the libtomcrypt files that provider uses (see
//! build.rs), and `.cargo/config.toml` tells libsqlite3-sys to build SQLCipher that way.
//! The file format is SQLCipher 4's, whatever the provider: AES-256-CBC pages with
//! HMAC-SHA512, keys through PBKDF2-HMAC-SHA512. A vendored OpenSSL was about a third of
//! the phone's library (4 MB of 12.7).
//!
//! Every binary that links SQLCipher must link this crate: a crate using rusqlite names it
//! once (`extern crate chibo_sqlcipher_crypto;`) so that rustc links it.
#![no_std]
