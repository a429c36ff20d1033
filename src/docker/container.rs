//! Containers.

use crate::expr::{List, Map, Number};

crate::resource! {
    /// A container.
    pub struct DockerContainer("docker_container", provider = super::PROVIDER) -> DockerContainerRef {
        required {
            name: String,
            /// The image's id (`DockerImageRef::image_id`) or name.
            image: String,
        }
        optional {
            command: List<String>,
            entrypoint: List<String>,
            /// `NAME=value` strings.
            env: List<String>,
            working_dir: String,
            hostname: String,
            domainname: String,
            user: String,
            /// `no`, `on-failure`, `always` or `unless-stopped`.
            restart: String,
            max_retry_count: Number,
            /// Fail the apply if the container is not running.
            must_run: bool,
            start: bool,
            /// Remove the container when it stops.
            rm: bool,
            attach: bool,
            logs: bool,
            wait: bool,
            wait_timeout: Number,
            destroy_grace_seconds: Number,
            privileged: bool,
            read_only: bool,
            init: bool,
            network_mode: String,
            publish_all_ports: bool,
            dns: List<String>,
            group_add: List<String>,
            /// Bytes.
            memory: Number,
            cpu_shares: Number,
            cpus: String,
            shm_size: Number,
            log_driver: String,
            log_opts: Map<String>,
            stop_signal: String,
            stop_timeout: Number,
            tmpfs: Map<String>,
            sysctls: Map<String>,
        }
        blocks {
            healthcheck: DockerContainerHealthcheck,
            capabilities: DockerContainerCapabilities,
        }
        repeated {
            /// A published port.
            ports: DockerContainerPorts,
            /// A bind mount or named volume.
            volumes: DockerContainerVolumes,
            mounts: DockerContainerMounts,
            labels: DockerContainerLabels,
            networks_advanced: DockerContainerNetworksAdvanced,
            host: DockerContainerHost,
            ulimit: DockerContainerUlimit,
        }
        attributes {
            id: String,
            name: String,
            exit_code: Number,
            bridge: String,
        }
    }
}

crate::nested_block! {
    pub struct DockerContainerPorts {
        required {
            /// The port inside the container.
            internal: Number,
        }
        optional {
            /// The port on the host.
            external: Number,
            /// The host address to bind (`0.0.0.0`).
            ip: String,
            /// `tcp` or `udp`.
            protocol: String,
        }
    }
}

crate::nested_block! {
    pub struct DockerContainerVolumes {
        optional {
            container_path: String,
            /// An absolute path on the host.
            host_path: String,
            volume_name: String,
            read_only: bool,
            from_container: String,
        }
    }
}

crate::nested_block! {
    pub struct DockerContainerMounts {
        required {
            target: String,
            /// `bind`, `volume` or `tmpfs`.
            r#type: String,
        }
        optional {
            source: String,
            read_only: bool,
        }
    }
}

crate::nested_block! {
    pub struct DockerContainerHealthcheck {
        required {
            /// `["CMD", "curl", "-f", "http://localhost/"]` or `["CMD-SHELL", "..."]`.
            test: List<String>,
        }
        optional {
            /// Durations such as `30s`.
            interval: String,
            timeout: String,
            start_period: String,
            start_interval: String,
            retries: Number,
        }
    }
}

crate::nested_block! {
    pub struct DockerContainerCapabilities {
        optional {
            add: List<String>,
            drop: List<String>,
        }
    }
}

crate::nested_block! {
    pub struct DockerContainerLabels {
        required {
            label: String,
            value: String,
        }
    }
}

crate::nested_block! {
    pub struct DockerContainerNetworksAdvanced {
        required {
            name: String,
        }
        optional {
            aliases: List<String>,
            ipv4_address: String,
            ipv6_address: String,
        }
    }
}

crate::nested_block! {
    /// An `/etc/hosts` entry.
    pub struct DockerContainerHost {
        required {
            host: String,
            ip: String,
        }
    }
}

crate::nested_block! {
    pub struct DockerContainerUlimit {
        required {
            name: String,
            soft: Number,
            hard: Number,
        }
    }
}
