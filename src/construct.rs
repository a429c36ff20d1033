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
    components: Vec<String>,
}

impl Scope {
    /// The stack itself.
    pub fn root() -> Scope {
        Scope::default()
    }

    /// The child with construct id `id`. A `/` in the id is stored as `--`
    /// (as cdktf does), so `ANY /tg` becomes the component `ANY --tg`.
    pub fn child(&self, id: &str) -> Scope {
        let mut components = Vec::with_capacity(self.components.len() + 1);
        components.extend(self.components.iter().cloned());
        components.push(id.replace('/', "--"));
        Scope { components }
    }

    /// The components below the stack.
    pub fn components(&self) -> &[String] {
        &self.components
    }

    /// The construct id: the last component (empty for the stack itself).
    pub fn id(&self) -> &str {
        self.components.last().map_or("", String::as_str)
    }

    pub fn is_root(&self) -> bool {
        self.components.is_empty()
    }

    /// The logical id of a block at this place (see [`id::logical_id`]).
    pub fn logical_id(&self) -> String {
        id::logical_id(&self.components)
    }

    /// The full construct path, starting with the stack's name.
    pub fn path_in(&self, stack: &str) -> String {
        let mut path = String::from(stack);
        for c in &self.components {
            path.push('/');
            path.push_str(c);
        }
        path
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.components.join("/"))
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
    }

    #[test]
    fn a_slash_in_an_id_is_stored_as_two_dashes() {
        let route = Scope::root()
            .child("http-api")
            .child("prod-stage")
            .child("ANY /tg");
        assert_eq!(route.id(), "ANY --tg");
        assert_eq!(
            route.child("lambda-integration").logical_id(),
            "http-api_prod-stage_ANY--tg_lambda-integration_6952066F"
        );
    }
}
