//! Where attachment bytes live: a small trait (put, open, delete) so an S3-compatible store can be
//! added beside the disk store without touching the rest. Keys are made by the server
//! (`<org id>/<uuid>`), never from a name an uploader gave, and a store refuses any other shape.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// A place for attachment bytes. Uploads are first spooled to a file in [`spool_dir`]
/// (streamed, checked, hashed) and handed to [`put`] once accepted.
///
/// [`spool_dir`]: AttachmentStore::spool_dir
/// [`put`]: AttachmentStore::put
pub trait AttachmentStore: Send + Sync {
    /// A local folder for uploads in progress (on the same file system as the files, for the disk
    /// store, so `put` is a rename).
    fn spool_dir(&self) -> &Path;
    /// Keep the spooled file `from` under `key`; `from` is gone afterwards.
    fn put(&self, key: &str, from: &Path) -> io::Result<()>;
    /// Read the bytes stored under `key`.
    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>>;
    /// Remove the bytes under `key`; a key with nothing stored is not an error.
    fn delete(&self, key: &str) -> io::Result<()>;
}

/// A new server-made storage key for a file of this organization.
pub fn new_key(org: kith_domain::OrgId) -> String {
    format!("{org}/{}", uuid::Uuid::now_v7())
}

/// Is this a key [`new_key`] makes (two lower-case uuid segments)? Anything else is refused, so
/// no key can name a place outside the store.
pub fn valid_key(key: &str) -> bool {
    let mut parts = key.split('/');
    let (Some(org), Some(file), None) = (parts.next(), parts.next(), parts.next()) else { return false };
    let uuid_like =
        |s: &str| s.len() == 36 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-');
    uuid_like(org) && uuid_like(file)
}

fn bad_key() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not an attachment storage key")
}

/// Files on the local disk: `<root>/files/<org id>/<uuid>`, uploads spooled in `<root>/spool`.
/// `<root>` is `<data dir>/attachments` by default — outside any folder the server serves.
pub struct DiskStore {
    files: PathBuf,
    spool: PathBuf,
}

impl DiskStore {
    /// Open (and create when missing) a store under `root`.
    pub fn new(root: impl AsRef<Path>) -> io::Result<DiskStore> {
        let root = root.as_ref();
        let store = DiskStore { files: root.join("files"), spool: root.join("spool") };
        fs::create_dir_all(&store.files)?;
        fs::create_dir_all(&store.spool)?;
        Ok(store)
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        if !valid_key(key) {
            return Err(bad_key());
        }
        Ok(self.files.join(key))
    }
}

impl AttachmentStore for DiskStore {
    fn spool_dir(&self) -> &Path {
        &self.spool
    }

    fn put(&self, key: &str, from: &Path) -> io::Result<()> {
        let to = self.path(key)?;
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir)?;
        }
        // The spooled file was written and synced by the upload; a rename is atomic.
        fs::rename(from, &to)
    }

    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(fs::File::open(self.path(key)?)?))
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_server_made_keys_name_a_file() {
        let key = new_key(kith_domain::OrgId(uuid::Uuid::now_v7()));
        assert!(valid_key(&key), "{key}");
        for bad in ["../x", "a/b", "/etc/passwd", "", &format!("{key}/x"), &format!("../{key}"), &key.to_uppercase()] {
            assert!(!valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn the_disk_store_keeps_opens_and_deletes_files_under_its_root() -> io::Result<()> {
        let root = std::env::temp_dir().join(format!("kith-store-{}", uuid::Uuid::now_v7()));
        let store = DiskStore::new(&root)?;
        let key = new_key(kith_domain::OrgId(uuid::Uuid::now_v7()));
        let spooled = store.spool_dir().join("upload");
        fs::write(&spooled, b"hello")?;
        store.put(&key, &spooled)?;
        assert!(!spooled.exists());
        let mut read = String::new();
        store.open(&key)?.read_to_string(&mut read)?;
        assert_eq!(read, "hello");
        assert!(root.join("files").join(&key).is_file());
        store.delete(&key)?;
        store.delete(&key)?;
        assert!(store.open(&key).is_err());
        assert!(store.open("../../etc/passwd").is_err());
        fs::remove_dir_all(root)
    }
}
