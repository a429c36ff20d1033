//! Networks.

use crate::expr::Map;

crate::resource! {
    /// A network containers can join.
    pub struct DockerNetwork("docker_network", provider = super::PROVIDER) -> DockerNetworkRef {
        required {
            name: String,
        }
        optional {
            /// `bridge` (default), `overlay`, ...
            driver: String,
            internal: bool,
            attachable: bool,
            ipv6: bool,
            options: Map<String>,
            ipam_driver: String,
        }
        repeated {
            ipam_config: DockerNetworkIpamConfig,
            labels: DockerNetworkLabels,
        }
        attributes {
            id: String,
            name: String,
            scope: String,
        }
    }
}

crate::nested_block! {
    pub struct DockerNetworkIpamConfig {
        optional {
            /// `172.28.0.0/16`
            subnet: String,
            gateway: String,
            ip_range: String,
        }
    }
}

crate::nested_block! {
    pub struct DockerNetworkLabels {
        required {
            label: String,
            value: String,
        }
    }
}
