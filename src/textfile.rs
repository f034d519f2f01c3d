//! Reading a secrets file the user names, one way for the CLI (`check --secrets FILE`,
//! `check --secrets-dir DIR`) and the language server (the file beside a stack): a
//! regular file only (after following links: never a FIFO, a device, `/dev/zero`), of at
//! most [`MAX_SECRETS_FILE`] bytes, UTF-8. Opened without blocking, checked again after
//! opening (a file swapped in between is refused), and read with a bound (a file that
//! grows while read is refused). The only IO below the front ends; nothing here shows a
//! byte of the file.

use std::io::Read;
use std::path::Path;

/// The largest secrets file read, in bytes (1 MiB: Scaleway stores secrets of 1,000
/// characters at most, a file of a thousand of them is well under it).
pub const MAX_SECRETS_FILE: u64 = 1 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed.
    Io(std::io::Error),
    /// A folder, a FIFO, a device: anything but a regular file.
    NotRegular,
    /// More than the bound, when checked or while read.
    TooLarge(u64),
    /// Not UTF-8 from this line (1-based) on.
    NotUtf8 { line: usize },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{}", crate::diagnostic::in_words(e)),
            ReadError::NotRegular => f.write_str("not a regular file"),
            ReadError::TooLarge(max) => write!(f, "larger than {max} bytes"),
            ReadError::NotUtf8 { line } => write!(f, "not UTF-8 text (line {line})"),
        }
    }
}

/// Reads the secrets file at `path` (see the module's doc).
pub fn read_secrets_file(path: &Path) -> Result<String, ReadError> {
    read_bounded(path, MAX_SECRETS_FILE)
}

/// Reads a regular UTF-8 file of at most `max` bytes.
pub fn read_bounded(path: &Path, max: u64) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge(max));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // O_NONBLOCK: never block on a FIFO swapped in since the check above.
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, 0o4000);
    let file = options.open(path).map_err(ReadError::Io)?;
    if !file.metadata().map_err(ReadError::Io)?.is_file() {
        return Err(ReadError::NotRegular);
    }
    let mut buf = Vec::new();
    let n = file
        .take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if u64::try_from(n).map_or(true, |n| n > max) {
        return Err(ReadError::TooLarge(max));
    }
    String::from_utf8(buf).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes
            .get(..at)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
            .saturating_add(1);
        ReadError::NotUtf8 { line }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_small_regular_utf8_file() {
        let dir = std::env::temp_dir().join(format!("cellac-textfile-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let ok = dir.join("ok.tfvars");
        std::fs::write(&ok, "a = \"b\"\n").unwrap_or_default();
        assert_eq!(read_secrets_file(&ok).ok().as_deref(), Some("a = \"b\"\n"));
        let big = dir.join("big.tfvars");
        std::fs::write(&big, vec![b'a'; 11]).unwrap_or_default();
        assert!(matches!(
            read_bounded(&big, 10),
            Err(ReadError::TooLarge(10))
        ));
        assert!(read_bounded(&big, 11).is_ok());
        let bad = dir.join("bad.tfvars");
        std::fs::write(&bad, b"a\nb\n\xff").unwrap_or_default();
        assert!(matches!(
            read_secrets_file(&bad),
            Err(ReadError::NotUtf8 { line: 3 })
        ));
        assert!(matches!(
            read_secrets_file(&dir),
            Err(ReadError::NotRegular)
        ));
        #[cfg(target_os = "linux")]
        assert!(matches!(
            read_secrets_file(Path::new("/dev/zero")),
            Err(ReadError::NotRegular)
        ));
        assert!(matches!(
            read_secrets_file(&dir.join("missing")),
            Err(ReadError::Io(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
