//! A Lambda deployment package shipped as a file asset.

use std::path::Path;

use crate::asset::{Asset, AssetError};
use crate::construct::Scope;
use crate::expr::Tf;
use crate::output::Output;
use crate::stack::Stack;

/// A package at `scope/<id>`: the asset at `<id>/asset` and its path as the
/// output `<id>/path`.
#[derive(Clone, Debug)]
pub struct LambdaCode {
    asset: Asset,
}

impl LambdaCode {
    pub fn from_file(
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        file: &Path,
    ) -> Result<Self, AssetError> {
        let scope = scope.child(id);
        let asset = stack.asset(&scope, "asset", file)?;
        stack.output(&scope, "path", Output::new(asset.path()));
        Ok(LambdaCode { asset })
    }

    /// The package's path, relative to the stack's directory.
    pub fn path(&self) -> Tf<String> {
        self.asset.path()
    }

    /// The base64 SHA-256 AWS reports for the package.
    pub fn base64_sha256(&self) -> Tf<String> {
        self.asset.base64_sha256()
    }

    pub fn asset(&self) -> &Asset {
        &self.asset
    }
}
