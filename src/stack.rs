//! A stack: one Terraform configuration, with its own state.

use std::path::Path;

use crate::address::{Address, BlockKind};
use crate::aspect::Aspect;
use crate::asset::{Asset, AssetError};
use crate::backend::Backend;
use crate::block::{
    Block, BlockRef, BlockType, Content, DataSource, Handle, Override, RawBlock, Resource,
    TypedHandle,
};
use crate::body::Body;
use crate::construct::Scope;
use crate::expr::{Expr, Tf};
use crate::output::{Output, OutputDecl, TypeConstraint, Variable, VariableDecl};
use crate::provider::{Provider, ProviderConfig, ProviderRef, ProviderRequirement};

/// A stack under construction. Add blocks with [`Stack::add`] and
/// [`Stack::data`]; synthesis checks and writes it.
pub struct Stack {
    pub(crate) name: String,
    /// The name again, shared by every handle of the stack.
    pub(crate) id: std::sync::Arc<str>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) providers: Vec<ProviderConfig>,
    /// Requirements set with [`Stack::require_provider`].
    pub(crate) requirements: Vec<ProviderRequirement>,
    /// The distinct requirements of the blocks, each with the construct path
    /// of the first block that needs it; blocks refer to them by index.
    pub(crate) block_requirements: Vec<(ProviderRequirement, Scope)>,
    pub(crate) backend: Option<Backend>,
    pub(crate) outputs: Vec<OutputDecl>,
    pub(crate) variables: Vec<VariableDecl>,
    pub(crate) assets: Vec<Asset>,
    pub(crate) aspects: Vec<Box<dyn Aspect>>,
    pub(crate) required_version: Option<String>,
    pub(crate) moves: Vec<(Address, Address)>,
    pub(crate) imports: Vec<Import>,
    pub(crate) removals: Vec<(Address, Removal)>,
    pub(crate) overrides: Vec<Override>,
    /// Stacks that must be deployed before this one.
    pub(crate) dependencies: Vec<String>,
    /// Sensitive input variables and the setting each is read from when
    /// kite runs terraform.
    pub(crate) secrets: Vec<SecretInput>,
}

/// An ephemeral, sensitive input variable whose value kite passes to
/// terraform through its environment (`TF_VAR_<name>`), read from a setting
/// (`.env` or the environment) when it runs terraform: never written to a
/// file, never on a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretInput {
    /// The Terraform variable's name.
    pub variable: String,
    /// The setting that holds the value (`TELEGRAM_BOT_TOKEN`).
    pub setting: String,
}

/// An `import` block: the resource at `to` adopts the existing object `id`.
pub(crate) struct Import {
    pub(crate) to: Address,
    pub(crate) id: Expr,
}

/// What a `removed` block does with the object Terraform still has in its
/// state for an address the configuration no longer declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// Terraform forgets the object and leaves it where it is
    /// (`lifecycle { destroy = false }`): something else manages it now, or
    /// nothing.
    Forget,
    /// Terraform destroys the object, as if the block had simply been
    /// deleted, but says so in the configuration (`destroy = true`).
    Destroy,
}

impl Stack {
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        Stack {
            id: name.as_str().into(),
            name,
            blocks: Vec::new(),
            providers: Vec::new(),
            requirements: Vec::new(),
            block_requirements: Vec::new(),
            backend: None,
            outputs: Vec::new(),
            variables: Vec::new(),
            assets: Vec::new(),
            aspects: Vec::new(),
            required_version: None,
            moves: Vec::new(),
            imports: Vec::new(),
            removals: Vec::new(),
            overrides: Vec::new(),
            dependencies: Vec::new(),
            secrets: Vec::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stack's own scope; constructs go under children of it.
    pub fn root(&self) -> Scope {
        Scope::root()
    }

    /// Declares a resource at `scope/id` and returns its handle.
    pub fn add<R: Resource>(&mut self, scope: &Scope, id: &str, resource: R) -> R::Ref {
        let block = self.add_typed(
            BlockKind::Resource,
            R::TYPE,
            R::PROVIDER,
            R::TAGGABLE,
            scope.child(id),
            resource.into_body(),
        );
        R::Ref::from(block)
    }

    /// Declares a data source at `scope/id` and returns its handle.
    pub fn data<D: DataSource>(&mut self, scope: &Scope, id: &str, data: D) -> D::Ref {
        let block = self.add_typed(
            BlockKind::Data,
            D::TYPE,
            D::PROVIDER,
            false,
            scope.child(id),
            data.into_body(),
        );
        D::Ref::from(block)
    }

    /// What [`Stack::add`] and [`Stack::data`] do, outside them: not
    /// compiled again for each block type (doc/adr/0011).
    fn add_typed(
        &mut self,
        kind: BlockKind,
        type_name: &'static str,
        provider: ProviderRequirement,
        taggable: bool,
        scope: Scope,
        body: Body,
    ) -> BlockRef {
        let mut block = Block::typed(self.id.clone(), kind, type_name, scope, body);
        block.requirement = Some(self.intern_requirement(provider, &block.scope));
        block.taggable = taggable;
        self.push(block)
    }

    /// Declares a block of a type that is not typed (a provider kite has no
    /// bindings for).
    pub fn add_raw(&mut self, scope: &Scope, id: &str, raw: RawBlock) -> BlockRef {
        let mut block = Block::raw(
            self.id.clone(),
            raw.kind,
            raw.type_name,
            scope.child(id),
            raw.body,
        );
        block.requirement = raw
            .requirement
            .map(|r| self.intern_requirement(r, &block.scope));
        block.taggable = raw.taggable;
        self.push(block)
    }

    /// Changes a declared typed block through its type: constructs use it
    /// to add to what they made (an environment variable, a statement).
    /// Panics if the handle comes from another stack.
    pub fn update<H: TypedHandle>(
        &mut self,
        handle: &H,
        change: impl FnOnce(H::Block) -> H::Block,
    ) {
        let block = self.block(handle);
        if let Content::Typed(body) = &mut block.content {
            let typed = H::Block::from_body(std::mem::take(body));
            *body = change(typed).into_body();
        }
    }

    /// The index of a requirement in the stack's list, added if new.
    fn intern_requirement(
        &mut self,
        requirement: ProviderRequirement,
        first_user: &Scope,
    ) -> usize {
        match self
            .block_requirements
            .iter()
            .position(|(r, _)| *r == requirement)
        {
            Some(i) => i,
            None => {
                self.block_requirements
                    .push((requirement, first_user.clone()));
                self.block_requirements.len() - 1
            }
        }
    }

    fn push(&mut self, block: Block) -> BlockRef {
        let reference = BlockRef::new(block.address(), self.blocks.len(), self.id.clone());
        self.blocks.push(block);
        reference
    }

    /// The declared block behind a handle, to set meta-arguments and
    /// overrides. Panics if the handle comes from another stack: that is a
    /// mistake in the program, not in its input.
    pub fn block(&mut self, handle: &impl Handle) -> &mut Block {
        let reference = handle.block_ref();
        match self.blocks.get_mut(reference.index()) {
            Some(block) if reference.stack() == self.name && block.is_at(reference.address()) => {
                block
            }
            _ => panic!(
                "{} is not declared in stack `{}`: a handle from one stack was used with another",
                reference.address(),
                self.name
            ),
        }
    }

    /// A handle to the block declared at `address`, if there is one (a
    /// search through the stack's blocks).
    pub fn declared(&self, address: &Address) -> Option<BlockRef> {
        self.blocks
            .iter()
            .position(|b| b.is_at(address))
            .map(|i| BlockRef::new(address.clone(), i, self.id.clone()))
    }

    /// All blocks declared so far, in order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Adds a provider configuration; its `required_providers` entry follows.
    pub fn provider<P: Provider>(&mut self, provider: P) -> ProviderRef {
        let alias = provider.alias().map(str::to_owned);
        let body = provider.into_body();
        let requirement = P::REQUIREMENT;
        let reference = ProviderRef::new(requirement.local_name.clone(), alias.clone());
        self.providers.push(ProviderConfig {
            requirement,
            alias,
            body,
        });
        reference
    }

    /// Adds or replaces a `required_providers` entry (for raw blocks, or to
    /// pin another version than the typed resources' default).
    pub fn require_provider(&mut self, requirement: ProviderRequirement) {
        self.requirements
            .retain(|r| r.local_name != requirement.local_name);
        self.requirements.push(requirement);
    }

    /// Where Terraform keeps the stack's state.
    pub fn set_backend(&mut self, backend: impl Into<Backend>) {
        self.backend = Some(backend.into());
    }

    pub fn backend(&self) -> Option<&Backend> {
        self.backend.as_ref()
    }

    /// The Terraform versions the stack accepts (`>= 1.11`).
    pub fn set_required_version(&mut self, constraint: impl Into<String>) {
        self.required_version = Some(constraint.into());
    }

    /// Says that this stack needs the stack `name` deployed first (it uses
    /// something that stack owns, such as an account-wide setting); the
    /// manifest lists it in `dependencies`.
    pub fn depends_on_stack(&mut self, name: impl Into<String>) {
        let name = name.into();
        if !self.dependencies.contains(&name) {
            self.dependencies.push(name);
        }
    }

    /// The stacks this one needs deployed first.
    pub fn dependencies(&self) -> &[String] {
        &self.dependencies
    }

    /// Declares an ephemeral, sensitive string variable at `scope/id` whose
    /// value kite gives terraform from the setting `setting` when it runs
    /// it (see [`SecretInput`]). Its value can only go where Terraform
    /// allows ephemeral values, such as write-only arguments (`value_wo`).
    pub fn secret_input(&mut self, scope: &Scope, id: &str, setting: &str) -> Tf<String> {
        let value = self.variable(
            scope,
            id,
            Variable::<String>::new()
                .description(format!("given by kite from the setting {setting}"))
                .sensitive(true)
                .ephemeral(true),
        );
        self.secrets.push(SecretInput {
            variable: scope.child(id).logical_id(),
            setting: setting.to_owned(),
        });
        value
    }

    /// The secret inputs of the stack.
    pub fn secret_inputs(&self) -> &[SecretInput] {
        &self.secrets
    }

    /// Declares an output at `scope/id`.
    pub fn output(&mut self, scope: &Scope, id: &str, output: Output) {
        self.outputs.push(OutputDecl {
            scope: scope.child(id),
            output,
        });
    }

    /// Declares an input variable at `scope/id` and returns its value.
    pub fn variable<T: TypeConstraint>(
        &mut self,
        scope: &Scope,
        id: &str,
        variable: Variable<T>,
    ) -> Tf<T> {
        let scope = scope.child(id);
        let name = scope.logical_id();
        self.variables.push(VariableDecl {
            scope,
            json: variable.to_json(),
        });
        Tf::from_expr(Expr::reference(Address::variable(name)))
    }

    /// Declares a file asset at `scope/id`: the file is hashed now and
    /// copied into the stack's output directory when the stack is written.
    pub fn asset(&mut self, scope: &Scope, id: &str, source: &Path) -> Result<Asset, AssetError> {
        let asset = Asset::new(scope.child(id), source)?;
        self.assets.push(asset.clone());
        Ok(asset)
    }

    /// Declares that the block behind `to` was known to Terraform as `from`
    /// (a `moved` block): existing state follows the new address instead of
    /// the object being destroyed and created again. Terraform 1.8 and later
    /// also move state across resource types when the provider supports it.
    pub fn moved(&mut self, from: Address, to: &impl Handle) {
        self.moves.push((from, to.block_ref().address().clone()));
    }

    /// Declares that the resource behind `to` adopts an object that already
    /// exists, known to its provider as `id` (an `import` block, Terraform
    /// 1.5+): the next plan reads it into the state instead of creating a
    /// new one. `id` is in the form the resource type's import documents
    /// (`role-name:policy-name` for an `aws_iam_role_policy`); it may refer to
    /// other blocks, but must be known when Terraform plans. Once the object
    /// is in the state the block does nothing, and can be removed.
    pub fn import(&mut self, to: &impl Handle, id: impl Into<Tf<String>>) {
        self.imports.push(Import {
            to: to.block_ref().address().clone(),
            id: id.into().into_expr(),
        });
    }

    /// Declares that the resource at `from`, which the stack no longer
    /// declares, leaves Terraform's management (a `removed` block, Terraform
    /// 1.7+): with [`Removal::Forget`] its object stays where it is and only
    /// the state forgets it; with [`Removal::Destroy`] it is destroyed.
    pub fn removed(&mut self, from: Address, removal: Removal) {
        self.removals.push((from, removal));
    }

    /// Sets the value at a dot-separated path of the stack's final JSON
    /// (`terraform.backend.s3.profile`, `provider.aws.0.max_retries`), after
    /// everything else: the escape hatch for what has no typed setter.
    /// Blocks and outputs are changed through [`Block::set_override`]
    /// instead; synthesis refuses stack overrides under `resource`, `data`
    /// and `output`.
    pub fn set_override(&mut self, path: &str, value: impl serde::Serialize) {
        let value = serde_json::to_value(value).map_err(|e| e.to_string());
        self.overrides.push(Override::Set(path.to_owned(), value));
    }

    /// Removes the value at a dot-separated path of the stack's final JSON.
    pub fn remove_override(&mut self, path: &str) {
        self.overrides.push(Override::Remove(path.to_owned()));
    }

    /// Adds an aspect, applied to every block when the stack is synthesized.
    pub fn aspect(&mut self, aspect: impl Aspect + 'static) {
        self.aspects.push(Box::new(aspect));
    }

    /// The number of resources (data sources not counted).
    pub fn resource_count(&self) -> usize {
        self.blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Resource)
            .count()
    }
}
