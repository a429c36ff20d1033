//! DynamoDB Local in a container, for development.

use crate::construct::Scope;
use crate::stack::Stack;

use super::super::container::{
    Container, ContainerArgs, ContainerPorts, ContainerPortsArgs, ContainerRef, ContainerVolumes,
};
use super::super::image::{Image, ImageArgs, ImageRef};

/// The image AWS publishes.
pub const IMAGE: &str = "amazon/dynamodb-local";
const WORKING_DIR: &str = "/home/dynamodblocal";

/// At `scope/<id>`: the image (`<id>-image`) and a container named `<id>`
/// (`<id>-container`) listening on `port`, keeping its data in `data_dir` on
/// the host (so tables survive the container).
#[derive(Clone, Debug)]
pub struct DynamodbLocal {
    image: ImageRef,
    container: ContainerRef,
    port: u16,
}

impl DynamodbLocal {
    /// `data_dir` must be absolute: Docker resolves bind mounts on the host.
    /// It is text, exactly as it goes into the configuration
    /// ([`path_text`](crate::env::path_text) refuses a path that is not UTF-8).
    pub fn new(stack: &mut Stack, scope: &Scope, id: &str, data_dir: &str, port: u16) -> Self {
        let scope = scope.child(id);
        let image = stack.add(
            &scope,
            &format!("{id}-image"),
            Image::new(ImageArgs { name: IMAGE.into() }),
        );
        let container = stack.add(
            &scope,
            &format!("{id}-container"),
            Container::new(ContainerArgs {
                name: id.into(),
                image: image.image_id(),
            })
            .command([
                "-jar",
                "DynamoDBLocal.jar",
                "-sharedDb",
                "-dbPath",
                "./data",
            ])
            .working_dir(WORKING_DIR)
            .ports(
                ContainerPorts::new(ContainerPortsArgs {
                    internal: port.into(),
                })
                .external(port),
            )
            .volumes(
                ContainerVolumes::new()
                    .container_path(format!("{WORKING_DIR}/data"))
                    .host_path(data_dir),
            ),
        );
        DynamodbLocal {
            image,
            container,
            port,
        }
    }

    pub fn image(&self) -> &ImageRef {
        &self.image
    }

    /// Depend on this before creating tables.
    pub fn container(&self) -> &ContainerRef {
        &self.container
    }

    /// `http://localhost:<port>`: the endpoint for the AWS provider and CLI.
    pub fn endpoint(&self) -> String {
        format!("http://localhost:{}", self.port)
    }
}
