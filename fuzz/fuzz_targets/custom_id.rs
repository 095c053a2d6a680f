//! The ids that buttons, selects and forms carry ([`Action`], [`FormKind`]): any text, as a
//! click or a submitted form brings it back from Slack (`action_id`, `callback_id`) or from
//! Discord (`custom_id`, possibly with the `~n` that kept it unique in its message).
//!
//! What must hold: an id that decodes encodes to an id that decodes to the same thing, and the
//! encoding is stable; it fits Discord's custom ids (100 characters) and Slack's action ids
//! (255); and the `~n` Discord's renderer may add comes off again leaving exactly the id, so a
//! click on Discord finds the same action as on Slack.

#![no_main]

use kakehashi::chat::{Action, FormKind};
use kakehashi::transport::discord::render::{CUSTOM_ID_MAX, strip_suffix};
use libfuzzer_sys::fuzz_target;

/// Slack's limit on `action_id`, `block_id` and `callback_id`.
const SLACK_ID_MAX: usize = 255;

fuzz_target!(|data: &[u8]| {
    let Ok(id) = std::str::from_utf8(data) else {
        return;
    };
    for candidate in [id, strip_suffix(id)] {
        if let Some(action) = Action::parse(candidate) {
            let written = action.to_string();
            check_written(&written);
            assert_eq!(Action::parse(&written).as_ref(), Some(&action), "{candidate:?} → {written:?}");
            assert_eq!(Action::parse(&written).map(|a| a.to_string()).as_deref(), Some(written.as_str()));
        }
        if let Some(form) = FormKind::parse(candidate) {
            let written = form.to_string();
            check_written(&written);
            assert_eq!(FormKind::parse(&written).as_ref(), Some(&form), "{candidate:?} → {written:?}");
            assert_eq!(Action::parse(&format!("o:{written}")), Some(Action::Open { form: form.clone() }));
        }
    }
});

/// An id as the bot writes it fits both platforms and survives Discord's de-duplication.
fn check_written(written: &str) {
    assert!(!written.is_empty());
    assert!(written.len() <= CUSTOM_ID_MAX, "{} characters: {written:?}", written.len());
    assert!(written.len() <= SLACK_ID_MAX);
    assert_eq!(strip_suffix(written), written, "Discord would cut {written:?}");
    for n in [2, 3, 10] {
        assert_eq!(strip_suffix(&format!("{written}~{n}")), written);
    }
}
