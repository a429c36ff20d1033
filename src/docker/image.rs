//! Images.

use crate::expr::{List, Map, Number};

crate::resource! {
    /// An image pulled from a registry (or built).
    pub struct DockerImage("docker_image", provider = super::PROVIDER) -> DockerImageRef {
        required {
            /// `repository[:tag]`, as `amazon/dynamodb-local:2.5.2`.
            name: String,
        }
        optional {
            /// Keep the image when the resource is destroyed.
            keep_locally: bool,
            force_remove: bool,
            /// `linux/amd64`, `linux/arm64`, ...
            platform: String,
            pull_triggers: List<String>,
            triggers: Map<String>,
        }
        blocks {
            build: DockerImageBuild,
        }
        attributes {
            id: String,
            /// What a container's `image` takes.
            image_id: String,
            name: String,
            repo_digest: String,
        }
    }
}

crate::nested_block! {
    /// Builds the image instead of pulling it.
    pub struct DockerImageBuild {
        required {
            /// The build context directory.
            context: String,
        }
        optional {
            dockerfile: String,
            build_args: Map<String>,
            target: String,
            tag: List<String>,
            platform: String,
            no_cache: bool,
            label: Map<String>,
            shm_size: Number,
        }
    }
}
