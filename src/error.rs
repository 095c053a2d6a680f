//! Two kinds of error, translated once, in the dispatcher: a [`Error::User`] is a sentence for
//! the person (already in their language: what was wrong and what to do); an
//! [`Error::Internal`] is logged with its whole chain under a short id, and the person sees an
//! apology with that id.

use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    User(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(anyhow::Error::new(e))
    }
}

/// A short id that ties an apology to its log line.
pub fn incident_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// The apology for a failure the person cannot do anything about: the error is logged under a
/// fresh [`incident_id`], and the text, in `lang`, names that id.
pub fn apology(prompts: &crate::prompts::Prompts, lang: crate::domain::Lang, error: &dyn std::fmt::Display) -> String {
    let id = incident_id();
    tracing::error!(incident = %id, error = %error, "the conversation handler failed");
    prompts.fill(lang, "error.internal", &[("id", id)])
}
