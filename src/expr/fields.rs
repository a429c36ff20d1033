//! The fields of an object expression.

use super::Expr;

/// The fields of an object expression, sorted by name, one per name.
///
/// A sorted vector rather than a `BTreeMap`: objects have a few fields (a
/// table's tags), and a map's first node has room for eleven; stacks hold
/// thousands of objects.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(Vec<(String, Expr)>);

impl Fields {
    pub fn new() -> Self {
        Fields::default()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&Expr> {
        let i = self.position(name).ok()?;
        Some(&self.0[i].1)
    }

    /// Sets the field `name`, returning the value it replaces.
    pub fn insert(&mut self, name: String, value: Expr) -> Option<Expr> {
        match self.position(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// The fields by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Expr)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Expr> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Expr> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }
}

/// Of fields with one name, the last is kept (as a map's `insert` would).
impl FromIterator<(String, Expr)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, Expr)>>(fields: I) -> Self {
        Fields::from_vec(fields.into_iter().collect())
    }
}

impl Fields {
    /// Sorted by key, the last of equal keys kept. Not generic, so that
    /// every caller of `collect` shares one sort (doc/adr/0011).
    fn from_vec(mut fields: Vec<(String, Expr)>) -> Self {
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        fields.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        Fields(fields)
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a String, &'a Expr);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Expr)>,
        fn(&'a (String, Expr)) -> (&'a String, &'a Expr),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Expr {
        Expr::Str(text.into())
    }

    #[test]
    fn fields_are_sorted_and_the_last_of_one_name_is_kept() {
        let fields: Fields = [("b", "1"), ("a", "2"), ("b", "3")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), s(v)))
            .collect();
        let all: Vec<(&str, &Expr)> = fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(all, [("a", &s("2")), ("b", &s("3"))]);
    }

    #[test]
    fn insert_keeps_the_order_and_replaces() {
        let mut fields = Fields::new();
        assert_eq!(fields.insert("m".into(), s("1")), None);
        assert_eq!(fields.insert("a".into(), s("2")), None);
        assert_eq!(fields.insert("z".into(), s("3")), None);
        assert_eq!(fields.insert("m".into(), s("4")), Some(s("1")));
        let keys: Vec<&String> = fields.keys().collect();
        assert_eq!(keys, ["a", "m", "z"]);
        assert_eq!(fields.get("m"), Some(&s("4")));
        assert_eq!(fields.get("b"), None);
        assert_eq!(fields.len(), 3);
    }
}
