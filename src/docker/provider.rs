//! The `provider "docker"` configuration.

use serde::Serialize;

use crate::provider::{Provider, ProviderRequirement};

/// Configuration of the Docker provider: which engine to talk to. Registry
/// passwords are deliberately not settable: point `registry_auth` at a
/// Docker config file instead, so no secret is written to the output.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DockerProvider {
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<crate::expr::Tf<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<crate::expr::Tf<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_path: Option<crate::expr::Tf<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssh_opts: Option<crate::expr::Tf<crate::expr::List<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disable_docker_daemon_check: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    registry_auth: Vec<RegistryAuth>,
}

impl DockerProvider {
    /// The engine of the environment (`DOCKER_HOST`, or the local socket).
    pub fn new() -> Self {
        DockerProvider::default()
    }

    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// The engine's address: `unix:///var/run/docker.sock`, `ssh://user@host`, `tcp://...`.
    pub fn host(mut self, host: impl Into<crate::expr::Tf<String>>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// A Docker context by name.
    pub fn context(mut self, context: impl Into<crate::expr::Tf<String>>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// A directory with `ca.pem`, `cert.pem` and `key.pem` for a TLS engine.
    pub fn cert_path(mut self, path: impl Into<crate::expr::Tf<String>>) -> Self {
        self.cert_path = Some(path.into());
        self
    }

    pub fn ssh_opts(mut self, opts: impl Into<crate::expr::Tf<crate::expr::List<String>>>) -> Self {
        self.ssh_opts = Some(opts.into());
        self
    }

    pub fn disable_docker_daemon_check(mut self, disable: bool) -> Self {
        self.disable_docker_daemon_check = Some(disable);
        self
    }

    /// Credentials of a registry, read from a Docker config file.
    pub fn registry_auth(
        mut self,
        address: impl Into<crate::expr::Tf<String>>,
        config_file: impl Into<crate::expr::Tf<String>>,
    ) -> Self {
        self.registry_auth.push(RegistryAuth {
            address: address.into(),
            config_file: config_file.into(),
        });
        self
    }
}

#[derive(Clone, Debug, Serialize)]
struct RegistryAuth {
    address: crate::expr::Tf<String>,
    config_file: crate::expr::Tf<String>,
}

impl Provider for DockerProvider {
    const REQUIREMENT: ProviderRequirement = super::PROVIDER;

    fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }
}
