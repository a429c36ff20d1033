//! An app: the named stacks a program defines, built on demand.

use std::fmt;

use crate::backend::LocalBackend;
use crate::env::Env;
use crate::stack::Stack;

type Builder = Box<dyn Fn(&Env) -> anyhow::Result<Vec<Stack>>>;

/// A stack the app can build.
pub struct StackDef {
    name: String,
    description: String,
    /// The group it is built with.
    group: usize,
}

/// Stacks built together: the handles of one can be used in the others.
struct Group {
    names: Vec<String>,
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
/// another; stacks that read each other's values are built together, as a
/// group ([`App::group`]).
#[derive(Default)]
pub struct App {
    stacks: Vec<StackDef>,
    groups: Vec<Group>,
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

/// `stack `a``, `stacks `a` and `b``: names for messages.
fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    match names.len() {
        0 => "no stack".into(),
        1 => format!("stack {}", names[0]),
        _ => format!("stacks {}", names.join(", ")),
    }
}

impl App {
    pub fn new() -> Self {
        App::default()
    }

    /// Adds a stack definition. `build` gets the environment and returns the
    /// stack, or an error that says what configuration is wrong.
    pub fn stack(
        self,
        name: impl Into<String>,
        description: impl Into<String>,
        build: impl Fn(&Env) -> anyhow::Result<Stack> + 'static,
    ) -> Self {
        let name = name.into();
        let description = description.into();
        self.group(&[(name.as_str(), description.as_str())], move |env| {
            Ok(vec![build(env)?])
        })
    }

    /// Adds stacks that are built together, by one function that returns
    /// them all (`members`: each one's name and description). A handle of
    /// one used in another is read through the first one's state (see
    /// [`crate::cross_stack`]): the function can pass handles between them.
    pub fn group(
        mut self,
        members: &[(&str, &str)],
        build: impl Fn(&Env) -> anyhow::Result<Vec<Stack>> + 'static,
    ) -> Self {
        let group = self.groups.len();
        for (name, description) in members {
            self.stacks.push(StackDef {
                name: (*name).to_owned(),
                description: (*description).to_owned(),
                group,
            });
        }
        self.groups.push(Group {
            names: members.iter().map(|(n, _)| (*n).to_owned()).collect(),
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

    /// Builds a stack (with the stacks of its group). A stack without a
    /// backend keeps its state in `<project root>/terraform.<stack>.tfstate`,
    /// outside the output directory that synthesis replaces (as cdktf does).
    pub fn build(&self, def: &StackDef, env: &Env) -> anyhow::Result<Stack> {
        self.build_many(&[def], env).pop().map_or_else(
            || anyhow::bail!("stack `{}` was not built", def.name),
            |(_, r)| r,
        )
    }

    /// Builds these stacks, each group once, in the order given.
    pub fn build_many<'a>(
        &self,
        defs: &[&'a StackDef],
        env: &Env,
    ) -> Vec<(&'a StackDef, anyhow::Result<Stack>)> {
        self.build_many_and_others(defs, env).0
    }

    /// [`App::build_many`], and the other stacks their groups built: a
    /// program about to exit need not free them one allocation at a time.
    pub(crate) fn build_many_and_others<'a>(
        &self,
        defs: &[&'a StackDef],
        env: &Env,
    ) -> (Vec<(&'a StackDef, anyhow::Result<Stack>)>, Vec<Stack>) {
        let mut groups: Vec<Option<Result<Vec<Stack>, String>>> =
            (0..self.groups.len()).map(|_| None).collect();
        let mut out = Vec::with_capacity(defs.len());
        for def in defs {
            let built = groups[def.group].get_or_insert_with(|| {
                self.build_group(def.group, env)
                    .map_err(|e| format!("{e:#}"))
            });
            let result = match built {
                Ok(stacks) => match stacks.iter().position(|s| s.name() == def.name) {
                    Some(i) => Ok(stacks.swap_remove(i)),
                    None => Err(anyhow::anyhow!("stack `{}` was built already", def.name)),
                },
                Err(e) => Err(anyhow::anyhow!("{e}")),
            };
            out.push((*def, result));
        }
        let others = groups.into_iter().flatten().flatten().flatten().collect();
        (out, others)
    }

    /// Builds the stacks of a group and links the references between them.
    fn build_group(&self, group: usize, env: &Env) -> anyhow::Result<Vec<Stack>> {
        let Group { names, build } = &self.groups[group];
        let mut stacks = build(env)?;
        let built: Vec<&str> = stacks.iter().map(Stack::name).collect();
        if built.len() != names.len() || names.iter().any(|n| !built.contains(&n.as_str())) {
            anyhow::bail!(
                "the definition of {} built {}: build exactly the stacks defined, with the same names in `App::stack`/`App::group` and `Stack::new`",
                list(names.iter().map(String::as_str)),
                list(built.iter().copied())
            );
        }
        for stack in &mut stacks {
            if stack.backend().is_none() {
                let path = env
                    .project_root()
                    .join(format!("terraform.{}.tfstate", stack.name()));
                let what = format!("the state file of stack `{}`", stack.name());
                stack.set_backend(LocalBackend::new(crate::env::path_text(&path, &what)?));
            }
        }
        crate::cross_stack::link(&mut stacks).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(|p| format!("- {p}")).collect();
            anyhow::anyhow!(
                "{} cannot read each other's values:\n{}",
                list(names.iter().map(String::as_str)),
                lines.join("\n")
            )
        })?;
        Ok(stacks)
    }
}
