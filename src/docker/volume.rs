//! Named volumes.

use crate::expr::Map;

crate::resource! {
    /// A named volume.
    pub struct DockerVolume("docker_volume", provider = super::PROVIDER) -> DockerVolumeRef {
        optional {
            name: String,
            driver: String,
            driver_opts: Map<String>,
        }
        repeated {
            labels: DockerVolumeLabels,
        }
        attributes {
            id: String,
            name: String,
            mountpoint: String,
        }
    }
}

crate::nested_block! {
    pub struct DockerVolumeLabels {
        required {
            label: String,
            value: String,
        }
    }
}
