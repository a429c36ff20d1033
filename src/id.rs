//! Logical ids: the names blocks get in Terraform (`aws_dynamodb_table.<id>`).
//!
//! They must equal what cdktf computes (with the context flags
//! `excludeStackIdFromLogicalIds` and `allowSepCharsInLogicalIds`), so that a
//! stack moved from cdktf to kite keeps the addresses of its Terraform state.

use md5::{Digest, Md5};

/// Components with this id are left out of logical ids (cdktf's `Default`).
const HIDDEN_ID: &str = "Default";
/// Components with this id are hashed but left out of the human-readable part.
const HIDDEN_FROM_HUMAN_ID: &str = "Resource";
/// The human-readable part is cut to this many characters.
const MAX_HUMAN_LEN: usize = 240;

/// The logical id of a block at construct path `STACK/c1/.../cn`, computed
/// from `[c1, ..., cn]` (the stack's own id is not part of it).
///
/// cdktf's rule, with one exception: an id that would start with a digit
/// (a component such as the domain `9gag.com`) is not a Terraform
/// identifier, so kite puts `_` before it (cdktf's output would not apply).
///
/// ```
/// assert_eq!(kite::id::logical_id(&["prod", "Channels"]), "prod_Channels_C3BF2098");
/// assert_eq!(kite::id::logical_id(&["current-region"]), "current-region");
/// assert_eq!(kite::id::logical_id(&["9gag.com", "zone"]), "_9gagcom_zone_7727A44F");
/// ```
pub fn logical_id<S: AsRef<str>>(components: &[S]) -> String {
    let len = components.iter().map(|c| c.as_ref().len() + 1).sum();
    of_components(components.iter().map(AsRef::as_ref), len)
}

/// The logical id of the construct path `path`: its components joined by
/// `/` (see [`logical_id`]).
pub(crate) fn of_path(path: &str) -> String {
    let components = (!path.is_empty()).then(|| path.split('/'));
    of_components(components.into_iter().flatten(), path.len() + 1)
}

/// The logical id of `components`, whose lengths (plus one each) add up to
/// about `len`.
fn of_components<'a>(components: impl Iterator<Item = &'a str>, len: usize) -> String {
    let id = cdktf_logical_id(components.filter(|c| *c != HIDDEN_ID), len);
    if id.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        format!("_{id}")
    } else {
        id
    }
}

/// cdktf's logical id (see the module documentation) of `components`,
/// `Default` left out already: in one pass, since a stack computes one
/// per block.
fn cdktf_logical_id<'a>(components: impl Iterator<Item = &'a str>, len: usize) -> String {
    // The hash is of the components joined by `/`.
    let mut md5 = Md5::new();
    let mut human = String::with_capacity(len + 9);
    let mut count = 0;
    let mut last_kept: Option<&str> = None;
    for component in components {
        if count > 0 {
            md5.update(b"/");
        }
        md5.update(component.as_bytes());
        count += 1;
        // cdktf compares the raw components: `ws-api/ws-api` keeps one `ws-api`.
        if last_kept.is_some_and(|last| last.ends_with(component)) {
            continue;
        }
        last_kept = Some(component);
        if component == HIDDEN_FROM_HUMAN_ID {
            continue;
        }
        if !human.is_empty() {
            human.push('_');
        }
        push_id_chars(&mut human, component);
    }
    if count == 1 {
        // One component is its own id, without hash (`Resource` included).
        human.clear();
        push_id_chars(&mut human, last_kept.unwrap_or_default());
        return human;
    }
    // Only ASCII is kept: characters are bytes.
    human.truncate(MAX_HUMAN_LEN);
    human.push('_');
    let mut hex = [0u8; 8];
    // Eight digits for four bytes: the buffer's size is right.
    let _ = hex::encode_to_slice(&md5.finalize()[..4], &mut hex);
    hex.make_ascii_uppercase();
    human.push_str(std::str::from_utf8(&hex).unwrap_or_default());
    human
}

/// Appends `component` without the characters outside `[A-Za-z0-9_-]`.
fn push_id_chars(out: &mut String, component: &str) {
    // Only ASCII is kept, so bytes can be checked instead of characters.
    let kept = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    if component.bytes().all(kept) {
        out.push_str(component);
    } else {
        out.extend(component.chars().filter(|c| c.is_ascii() && kept(*c as u8)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first eight hex digits of the MD5 of the components joined by `/`.
    fn path_hash(components: &[&str]) -> String {
        hex::encode_upper(&Md5::digest(components.join("/").as_bytes())[..4])
    }

    #[test]
    fn spec_test_vectors() {
        assert_eq!(logical_id(&["prod", "Channels"]), "prod_Channels_C3BF2098");
        assert_eq!(
            logical_id(&["http-api", "prod-stage", "ANY --tg", "lambda-integration"]),
            "http-api_prod-stage_ANY--tg_lambda-integration_6952066F"
        );
        assert_eq!(
            logical_id(&["k1te.chat", "api.k1te.chat", "record"]),
            "k1techat_apik1techat_record_C0C7CBE5"
        );
    }

    #[test]
    fn a_single_component_is_kept_without_hash_and_stripped_of_other_characters() {
        assert_eq!(logical_id(&["current-region"]), "current-region");
        assert_eq!(
            logical_id(&["lifecycle-invocation"]),
            "lifecycle-invocation"
        );
        assert_eq!(logical_id(&["my table.v2!"]), "mytablev2");
        assert_eq!(logical_id(&["under_score"]), "under_score");
    }

    #[test]
    fn default_components_are_dropped_before_anything_else() {
        // `Default/x` is a single component `x`: no hash.
        assert_eq!(logical_id(&["Default", "current-region"]), "current-region");
        // The hash is over the components without `Default`.
        assert_eq!(
            logical_id(&["prod", "Default", "Channels"]),
            logical_id(&["prod", "Channels"])
        );
    }

    #[test]
    fn a_component_the_last_kept_one_ends_with_is_skipped_in_the_human_part() {
        // Reference addresses of the original app.
        assert_eq!(logical_id(&["ws-api", "ws-api"]), "ws-api_1F19F1C4");
        assert_eq!(logical_id(&["http-api", "api"]), "http-api_FA544390");
        assert_eq!(
            logical_id(&["ws-api", "prod-stage", "stage"]),
            "ws-api_prod-stage_A3D61528"
        );
        assert_eq!(
            logical_id(&["lambda-execution-role", "lambda-execution-role"]),
            "lambda-execution-role_B0EE303E"
        );
    }

    #[test]
    fn the_comparison_uses_raw_components_before_characters_are_removed() {
        // After removal `ab` would end with `b`; the raw `a.b` does not end with `b.`.
        let id = logical_id(&["a.b", "b."]);
        assert!(id.starts_with("ab_b_"), "{id}");
        // Before removal `a.b` ends with `.b`, so `.b` is skipped.
        let id = logical_id(&["a.b", ".b"]);
        assert!(id.starts_with("ab_") && !id.starts_with("ab_b_"), "{id}");
    }

    #[test]
    fn resource_components_are_hashed_but_not_shown() {
        let id = logical_id(&["bucket", "Resource"]);
        assert_eq!(id, format!("bucket_{}", path_hash(&["bucket", "Resource"])));
        assert_ne!(id, logical_id(&["bucket", "Other"]));
    }

    #[test]
    fn the_hash_covers_unmodified_components_with_spaces() {
        let with_space = logical_id(&["a", "ANY --tg"]);
        assert_eq!(
            with_space,
            format!("a_ANY--tg_{}", path_hash(&["a", "ANY --tg"]))
        );
    }

    #[test]
    fn the_human_part_is_cut_to_240_characters() {
        let long = "x".repeat(300);
        let id = logical_id(&[long.as_str(), "y"]);
        let (human, hash) = id.rsplit_once('_').unwrap();
        assert_eq!(human.len(), MAX_HUMAN_LEN);
        assert_eq!(hash.len(), 8);
    }

    #[test]
    fn an_id_that_would_start_with_a_digit_or_dash_starts_with_an_underscore() {
        // cdktf's rule would give `9gagcom_zone_7727A44F`, which Terraform refuses.
        assert_eq!(logical_id(&["9gag.com", "zone"]), "_9gagcom_zone_7727A44F");
        assert_eq!(logical_id(&["1password"]), "_1password");
        assert_eq!(logical_id(&["-x"]), "_-x");
        for id in [
            logical_id(&["123.com", "api.123.com", "record"]),
            logical_id(&["9"]),
        ] {
            assert!(crate::expr::is_identifier(&id), "{id}");
        }
        // Ids that were valid keep cdktf's form.
        assert_eq!(
            logical_id(&["k1te.chat", "zone"]),
            cdktf_logical_id(["k1te.chat", "zone"].into_iter(), 0)
        );
    }

    #[test]
    fn asset_and_output_ids_of_the_reference() {
        assert_eq!(
            logical_id(&["k1te-serverless", "asset"]),
            "k1te-serverless_asset_C9C75246"
        );
        assert_eq!(
            logical_id(&["http-api", "prod-stage", "url"]),
            "http-api_prod-stage_url_59021E69"
        );
    }

    /// The rule as it was first written (kept to check the one computed
    /// from a joined path, without allocating per component).
    fn first_written(components: &[&str]) -> String {
        let kept: Vec<&str> = components
            .iter()
            .copied()
            .filter(|c| *c != HIDDEN_ID)
            .collect();
        let id = if let [only] = kept.as_slice() {
            only.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect()
        } else {
            let hash = path_hash(&kept);
            let mut human = String::new();
            let mut last: Option<&str> = None;
            for c in &kept {
                if last.is_some_and(|l| l.ends_with(c)) {
                    continue;
                }
                last = Some(c);
                if *c != HIDDEN_FROM_HUMAN_ID {
                    if !human.is_empty() {
                        human.push('_');
                    }
                    human.extend(
                        c.chars()
                            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-'),
                    );
                }
            }
            human.truncate(MAX_HUMAN_LEN);
            format!("{human}_{hash}")
        };
        if id.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            format!("_{id}")
        } else {
            id
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn a_joined_path_has_the_id_of_its_components(
            components in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zA-Z0-9._ -]{0,12}").unwrap(),
                    proptest::string::string_regex("\\PC{0,6}").unwrap(),
                    proptest::sample::select(vec!["Default", "Resource", "a", "ba", "", "Defaults"])
                        .prop_map(str::to_owned),
                ]
                .prop_filter("no `/`", |c| !c.contains('/')),
                0..8,
            )
        ) {
            let components: Vec<&str> = components.iter().map(String::as_str).collect();
            // `[""]` joins to the path of no component, the stack itself.
            proptest::prop_assume!(components != [""]);
            let expected = first_written(&components);
            proptest::prop_assert_eq!(logical_id(&components), expected.clone());
            proptest::prop_assert_eq!(of_path(&components.join("/")), expected);
        }
    }
}
