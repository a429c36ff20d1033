//! The construct tree: every block, output, variable and asset of a stack has
//! a construct path (`kite/http-api/prod-stage/stage`) from which its logical
//! id is computed.

use std::fmt;

use crate::id;

/// A place in a stack's construct tree: the path below the stack.
///
/// Constructs (higher-level building blocks) take a scope and add their
/// blocks under child scopes of it, so the paths mirror how the stack is
/// composed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    /// The components joined by `/` (no component contains one); empty for
    /// the stack itself. One string per scope: stacks hold thousands.
    path: String,
}

impl Scope {
    /// The stack itself.
    pub fn root() -> Scope {
        Scope::default()
    }

    /// The child with construct id `id`. A `/` in the id is stored as `--`
    /// (as cdktf does), so `ANY /tg` becomes the component `ANY --tg`.
    pub fn child(&self, id: &str) -> Scope {
        let mut path = String::with_capacity(self.path.len() + id.len() + 1);
        path.push_str(&self.path);
        if !self.path.is_empty() {
            path.push('/');
        }
        if id.contains('/') {
            path.push_str(&id.replace('/', "--"));
        } else {
            path.push_str(id);
        }
        Scope { path }
    }

    /// The components below the stack.
    pub fn components(&self) -> Vec<&str> {
        if self.path.is_empty() {
            Vec::new()
        } else {
            self.path.split('/').collect()
        }
    }

    /// The construct id: the last component (empty for the stack itself).
    pub fn id(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or("")
    }

    pub fn is_root(&self) -> bool {
        self.path.is_empty()
    }

    /// The logical id of a block at this place (see [`id::logical_id`]).
    pub fn logical_id(&self) -> String {
        id::of_path(&self.path)
    }

    /// The full construct path, starting with the stack's name.
    pub fn path_in(&self, stack: &str) -> String {
        if self.path.is_empty() {
            return stack.to_owned();
        }
        let mut path = String::with_capacity(stack.len() + 1 + self.path.len());
        path.push_str(stack);
        path.push('/');
        path.push_str(&self.path);
        path
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_extend_the_path() {
        let scope = Scope::root().child("http-api").child("prod-stage");
        assert_eq!(scope.components(), ["http-api", "prod-stage"]);
        assert_eq!(scope.id(), "prod-stage");
        assert_eq!(scope.path_in("kite"), "kite/http-api/prod-stage");
        assert!(Scope::root().is_root());
        assert_eq!(Scope::root().path_in("kite"), "kite");
        assert!(Scope::root().components().is_empty());
        assert_eq!(Scope::root().id(), "");
    }

    #[test]
    fn a_slash_in_an_id_is_stored_as_two_dashes() {
        let route = Scope::root()
            .child("http-api")
            .child("prod-stage")
            .child("ANY /tg");
        assert_eq!(route.id(), "ANY --tg");
        assert_eq!(route.components().len(), 3);
        assert_eq!(
            route.child("lambda-integration").logical_id(),
            "http-api_prod-stage_ANY--tg_lambda-integration_6952066F"
        );
    }
}
