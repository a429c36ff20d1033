//! State backends: where Terraform keeps the state of a stack.
//!
//! Backend arguments cannot be expressions in Terraform, so they are plain
//! values here.

use serde::Serialize;

/// The `backend` of a stack's `terraform` block.
#[derive(Clone, Debug, PartialEq)]
pub enum Backend {
    S3(S3Backend),
    Local(LocalBackend),
}

impl Backend {
    /// The backend type: `s3`, `local`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Backend::S3(_) => "s3",
            Backend::Local(_) => "local",
        }
    }

    /// What a `terraform_remote_state` needs to read this state: the
    /// backend's configuration, less what only writers use (locking).
    pub fn remote_state_config(&self) -> serde_json::Value {
        let mut config = self.to_json();
        if let Some(map) = config.as_object_mut() {
            map.remove("use_lockfile");
        }
        config
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        let config = match self {
            Backend::S3(b) => serde_json::to_value(b),
            Backend::Local(b) => serde_json::to_value(b),
        };
        // Plain structs of strings and bools always serialize.
        config.unwrap_or_default()
    }
}

/// State in an S3 bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct S3Backend {
    bucket: String,
    key: String,
    region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    encrypt: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    use_lockfile: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workspace_key_prefix: Option<String>,
}

impl S3Backend {
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        S3Backend {
            bucket: bucket.into(),
            key: key.into(),
            region: region.into(),
            encrypt: None,
            use_lockfile: None,
            kms_key_id: None,
            profile: None,
            workspace_key_prefix: None,
        }
    }

    /// Server-side encryption of the state object.
    pub fn encrypt(mut self, encrypt: bool) -> Self {
        self.encrypt = Some(encrypt);
        self
    }

    /// S3-native state locking (Terraform 1.10 and later): two runs cannot
    /// write the state at once.
    pub fn use_lockfile(mut self, lock: bool) -> Self {
        self.use_lockfile = Some(lock);
        self
    }

    pub fn kms_key_id(mut self, key: impl Into<String>) -> Self {
        self.kms_key_id = Some(key.into());
        self
    }

    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    pub fn workspace_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.workspace_key_prefix = Some(prefix.into());
        self
    }
}

/// State in a local file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LocalBackend {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

impl LocalBackend {
    /// State at `path`. Give an absolute path, or one outside the output
    /// directory: synthesis replaces that directory.
    pub fn new(path: impl Into<String>) -> Self {
        LocalBackend {
            path: Some(path.into()),
        }
    }
}

impl From<S3Backend> for Backend {
    fn from(b: S3Backend) -> Self {
        Backend::S3(b)
    }
}

impl From<LocalBackend> for Backend {
    fn from(b: LocalBackend) -> Self {
        Backend::Local(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn s3_backend_with_encryption_and_native_locking() {
        let b: Backend = S3Backend::new("bucket", "kite/terraform.tfstate", "eu-north-1")
            .encrypt(true)
            .use_lockfile(true)
            .into();
        assert_eq!(b.type_name(), "s3");
        assert_eq!(
            b.to_json(),
            json!({"bucket": "bucket", "key": "kite/terraform.tfstate", "region": "eu-north-1", "encrypt": true, "use_lockfile": true})
        );
    }

    #[test]
    fn local_backend_path() {
        let b: Backend = LocalBackend::new("/p/terraform.local.tfstate").into();
        assert_eq!(b.type_name(), "local");
        assert_eq!(b.to_json(), json!({"path": "/p/terraform.local.tfstate"}));
    }
}
