//! An app: the named stacks a program defines, built on demand.

use std::fmt;

use crate::backend::LocalBackend;
use crate::env::Env;
use crate::stack::Stack;

type Builder = Box<dyn Fn(&Env) -> anyhow::Result<Stack>>;

/// A stack the app can build.
pub struct StackDef {
    name: String,
    description: String,
    build: Builder,
}

impl StackDef {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> &str {
        &self.description
    }
}

/// The stacks of a program. Each is built only when asked for, so that one
/// stack's configuration (a file it needs, a token) does not stop work on
/// another.
#[derive(Default)]
pub struct App {
    stacks: Vec<StackDef>,
}

/// A stack name the app does not define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStack {
    pub name: String,
    pub known: Vec<String>,
}

impl fmt::Display for UnknownStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "there is no stack named `{}`; the stacks are: {}",
            self.name,
            self.known.join(", ")
        )
    }
}

impl std::error::Error for UnknownStack {}

impl App {
    pub fn new() -> Self {
        App::default()
    }

    /// Adds a stack definition. `build` gets the environment and returns the
    /// stack, or an error that says what configuration is wrong.
    pub fn stack(
        mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        build: impl Fn(&Env) -> anyhow::Result<Stack> + 'static,
    ) -> Self {
        self.stacks.push(StackDef {
            name: name.into(),
            description: description.into(),
            build: Box::new(build),
        });
        self
    }

    pub fn stacks(&self) -> &[StackDef] {
        &self.stacks
    }

    /// The definitions named, in the order given; all of them when `names`
    /// is empty.
    pub fn select(&self, names: &[String]) -> Result<Vec<&StackDef>, UnknownStack> {
        if names.is_empty() {
            return Ok(self.stacks.iter().collect());
        }
        let mut selected: Vec<&StackDef> = Vec::new();
        for name in names {
            let def = self
                .stacks
                .iter()
                .find(|s| &s.name == name)
                .ok_or_else(|| UnknownStack {
                    name: name.clone(),
                    known: self.stacks.iter().map(|s| s.name.clone()).collect(),
                })?;
            if !selected.iter().any(|s| s.name == def.name) {
                selected.push(def);
            }
        }
        Ok(selected)
    }

    /// Builds a stack. A stack without a backend keeps its state in
    /// `<project root>/terraform.<stack>.tfstate`, outside the output
    /// directory that synthesis replaces (as cdktf does).
    pub fn build(&self, def: &StackDef, env: &Env) -> anyhow::Result<Stack> {
        let mut stack = (def.build)(env)?;
        if stack.name() != def.name {
            anyhow::bail!(
                "the definition of stack `{}` built a stack named `{}`: use the same name in `App::stack` and `Stack::new`",
                def.name,
                stack.name()
            );
        }
        if stack.backend().is_none() {
            let path = env
                .project_root()
                .join(format!("terraform.{}.tfstate", def.name));
            let what = format!("the state file of stack `{}`", def.name);
            stack.set_backend(LocalBackend::new(crate::env::path_text(&path, &what)?));
        }
        Ok(stack)
    }
}
