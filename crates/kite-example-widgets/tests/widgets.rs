//! Bindings generated for a user's own provider work as kite's own do:
//! typed required arguments and setters, handles, nested values read
//! through `.fields()`, the provider's requirement, validation against its
//! schema file.

use kite::Stack;
use kite::expr::Tf;
use kite::synth::synthesize;
use kite::validate::{Schemas, validate};
use kite_example_widgets::widgets::{
    DataWidgetsCatalog, Widget, WidgetArgs, WidgetPart, WidgetPartArgs, WidgetsProvider,
};

fn schemas() -> Schemas {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/widgets.schema.json");
    Schemas::bundled().overlaid_with(Schemas::from_file(std::path::Path::new(file)).unwrap())
}

#[test]
fn a_stack_of_generated_widgets_synthesizes_and_validates() {
    let mut stack = Stack::new("w");
    let root = stack.root();
    stack.provider(WidgetsProvider::new().endpoint("https://widgets.example"));
    let catalog = stack.data(&root, "catalog", DataWidgetsCatalog::new().prefix("big-"));
    let first: Tf<String> = catalog.items().at(0).fields().name();
    let widget = stack.add(
        &root,
        "widget",
        Widget::new(WidgetArgs { name: first })
            .size(3)
            .part(WidgetPart::new(WidgetPartArgs { label: "a".into() }))
            .part(WidgetPart::new(WidgetPartArgs { label: "b".into() }).count(2)),
    );
    let synthesized = synthesize(stack).unwrap();
    let findings = validate(&synthesized, &schemas());
    assert!(findings.is_empty(), "{findings:?}");
    let doc = &synthesized.document();
    assert_eq!(
        doc["terraform"]["required_providers"]["widgets"],
        serde_json::json!({"source": "example/widgets", "version": "~> 1.0"})
    );
    let block = &doc["resource"]["widgets_widget"]["widget"];
    assert_eq!(
        block["name"],
        "${data.widgets_catalog.catalog.items[0].name}"
    );
    assert_eq!(block["part"][1]["count"], 2);
    assert_eq!(
        doc["provider"]["widgets"][0]["endpoint"],
        "https://widgets.example"
    );
    // The handle reads the widget's ARN, typed as one.
    let arn: Tf<kite::expr::Arn> = widget.arn();
    assert_eq!(arn.expr().to_hcl(), "widgets_widget.widget.arn");
}

#[test]
fn a_misspelt_override_is_found_against_the_user_schema() {
    let mut stack = Stack::new("w");
    let root = stack.root();
    let widget = stack.add(
        &root,
        "widget",
        Widget::new(WidgetArgs { name: "x".into() }),
    );
    stack.block(&widget).set_override("sise", 3);
    let findings = validate(&synthesize(stack).unwrap(), &schemas());
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(
        findings[0].message.contains("did you mean `size`?"),
        "{}",
        findings[0]
    );
}
