//! What the transports' tests render: a plain button, a one-field number form.

use crate::chat::{Button, Control, Field, FieldKind, Form, Style};

/// A default-style button.
pub fn button(action: &str, label: &str) -> Control {
    Control::Button(Button {
        action: action.into(),
        label: label.into(),
        style: Style::Default,
        key: None,
        opens_form: false,
    })
}

/// The volume question's form: one required number field, with what was typed and the errors.
pub fn volume_form(typed: Option<&str>, errors: Vec<(String, String)>) -> Form {
    Form {
        id: "ans:N-1:volume".into(),
        title: "N-1 · Volume".into(),
        submit: "Save".into(),
        fields: vec![Field {
            id: "answer".into(),
            label: "Cases per month".into(),
            hint: None,
            kind: FieldKind::Number,
            required: true,
            initial: typed.map(str::to_string),
            max_len: 40,
        }],
        errors,
    }
}
