//! The resource shims: `resources/list`, `resources/templates/list`,
//! `resources/read` and `completion/complete` (of a template's arguments
//! and a prompt's) over the service's `resource` module, and the two ways a session hears of changes:
//! `resources/subscribe` (a forwarder task per session, started when the
//! client is initialized, that relays `notifications/resources/updated`
//! for the URIs it subscribed and `notifications/resources/list_changed`)
//! and the 2026-07-28 revision's `subscriptions/listen` (one stream per
//! request, filtered by what it asked for).
//!
//! Both listen on the kit's one [`Changes`](crate::service::changes::Changes)
//! channel, so every session, over any transport, hears every change; a
//! session's receiver goes when the session does.
//!
//! And the Skills-over-MCP extension (`io.modelcontextprotocol/skills`):
//! `skills/list` and `skills/get` describe the one skill built into the
//! binary, whose `SKILL.md` the service lists and reads as a resource like
//! any other. rmcp's `skills-fs` catalog is not used: it serves skills from
//! a folder on disk, and this skill has none.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::RoleServer;
use rmcp::model::{
    CompleteRequestParams, CompleteResult, CompletionInfo, ErrorData, GetSkillResult,
    ListResourceTemplatesResult, ListResourcesResult, ListSkillsResult, Reference, Resource,
    ResourceContents, ResourceTemplate, ResourceUpdatedNotificationParam, Skill, SkillFrontmatter,
    SkillResource, SkillResources, SubscriptionFilter,
};
use rmcp::service::{Peer, SubscriptionContext, SubscriptionSendError};
use tokio_util::sync::CancellationToken;

use crate::mcp::server::Tools;
use crate::service::changes::{Heard, Listener};
use crate::service::resource::{self, ResourceEntry, ResourceUri, TEMPLATES};
use crate::service::{Kit, ServiceError};
use crate::skill;
use crate::workspace::printable;

/// A session's resource subscriptions.
#[derive(Debug, Default)]
pub struct Subscriptions {
    uris: Arc<Mutex<BTreeSet<String>>>,
    forwarding: AtomicBool,
    /// Cancelled when the session's handler goes, ending its forwarder.
    closed: CancellationToken,
}

impl Drop for Subscriptions {
    fn drop(&mut self) {
        self.closed.cancel();
    }
}

impl Subscriptions {
    /// Subscribes to `uri`, after checking it is one of ours. It is kept
    /// as the client wrote it: notifications name it so.
    pub fn subscribe(&self, uri: &str) -> Result<(), ErrorData> {
        ResourceUri::parse(uri).map_err(|reason| ErrorData::invalid_params(reason, None))?;
        self.lock().insert(uri.to_string());
        Ok(())
    }

    /// Drops `uri`, however its escapes were written.
    pub fn unsubscribe(&self, uri: &str) {
        let canonical = |uri: &str| ResourceUri::parse(uri).map(|parsed| parsed.to_string());
        let gone = canonical(uri);
        self.lock()
            .retain(|kept| kept != uri && (gone.is_err() || canonical(kept) != gone));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.uris.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts relaying changes to `peer`, once per session.
    pub fn forward(&self, kit: &Kit, peer: Peer<RoleServer>) {
        if self.forwarding.swap(true, Ordering::AcqRel) {
            return;
        }
        let listener = kit.changes.listen();
        let uris = self.uris.clone();
        let closed = self.closed.clone();
        tokio::spawn(relay(listener, uris, closed, peer));
    }
}

/// Relays each change to one legacy session until it closes.
async fn relay(
    mut listener: Listener,
    uris: Arc<Mutex<BTreeSet<String>>>,
    closed: CancellationToken,
    peer: Peer<RoleServer>,
) {
    loop {
        let heard = tokio::select! {
            () = closed.cancelled() => break,
            heard = listener.next() => heard,
        };
        let Some(heard) = heard else { break };
        let subscribed: Vec<String> = uris
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect();
        let (listing, updated) = affected(&heard, subscribed);
        for uri in updated {
            if peer
                .notify_resource_updated(ResourceUpdatedNotificationParam::new(uri))
                .await
                .is_err()
            {
                break;
            }
        }
        if listing && peer.notify_resource_list_changed().await.is_err() {
            break;
        }
        if peer.is_transport_closed() {
            break;
        }
    }
    tracing::debug!("session stopped listening for changes");
}

/// Whether the list changed, and which of `subscribed` may read
/// differently; after missed changes, all of them.
fn affected(heard: &Heard, subscribed: Vec<String>) -> (bool, Vec<String>) {
    match heard {
        Heard::Change(change) => (
            change.listing,
            subscribed
                .into_iter()
                .filter(|uri| change.touches(uri))
                .collect(),
        ),
        Heard::Missed => (true, subscribed),
    }
}

/// The part of a `subscriptions/listen` filter served: the resource list
/// and updates of our own URIs.
pub fn accepted_filter(requested: &SubscriptionFilter) -> SubscriptionFilter {
    let mut filter = SubscriptionFilter::new();
    filter.resources_list_changed = requested.resources_list_changed.filter(|wanted| *wanted);
    filter.resource_subscriptions = requested.resource_subscriptions.as_ref().map(|uris| {
        uris.iter()
            .filter(|uri| ResourceUri::parse(uri).is_ok())
            .cloned()
            .collect()
    });
    filter
}

/// Serves one `subscriptions/listen` stream until the client cancels it or
/// the session ends.
pub async fn listen(kit: &Kit, context: SubscriptionContext) -> Result<(), ErrorData> {
    let mut listener = kit.changes.listen();
    let accepted = context.accepted().clone();
    let subscribed = accepted.resource_subscriptions.clone().unwrap_or_default();
    let wants_listing = accepted.resources_list_changed == Some(true);
    loop {
        let heard = tokio::select! {
            () = context.cancelled() => return Ok(()),
            heard = listener.next() => heard,
        };
        let Some(heard) = heard else { return Ok(()) };
        let (listing, updated) = affected(&heard, subscribed.clone());
        for uri in updated {
            if let Err(error) = context.sink().notify_resource_updated(uri).await {
                return ended(error);
            }
        }
        if listing
            && wants_listing
            && let Err(error) = context.sink().notify_resource_list_changed().await
        {
            return ended(error);
        }
    }
}

/// A stream whose client has gone ends quietly; anything else is an error.
fn ended(error: SubscriptionSendError) -> Result<(), ErrorData> {
    match error {
        SubscriptionSendError::SubscriptionClosed => Ok(()),
        other => Err(ErrorData::internal_error(other.to_string(), None)),
    }
}

pub fn list_result(page: resource::ResourcePage) -> ListResourcesResult {
    let mut result =
        ListResourcesResult::with_all_items(page.resources.into_iter().map(entry).collect());
    result.next_cursor = page.next_cursor;
    result
}

fn entry(entry: ResourceEntry) -> Resource {
    let mut raw = Resource::new(entry.uri, entry.name)
        .with_description(entry.description)
        .with_mime_type(entry.mime_type);
    if let Some(title) = entry.title {
        raw = raw.with_title(title);
    }
    if let Some(size) = entry.size {
        raw = raw.with_size(size);
    }
    raw
}

/// The skill as the extension describes it: its front matter, and its one
/// file with the digest and size of the bytes `resources/read` serves.
fn skill_entry() -> Skill {
    let mut name = skill::NAME;
    let mut description = "";
    let mut extra = Vec::new();
    for (key, value) in skill::front_matter() {
        match key {
            "name" => name = value,
            "description" => description = value,
            _ => extra.push((key, value)),
        }
    }
    let front_matter = extra.into_iter().fold(
        SkillFrontmatter::new(name, description),
        |front_matter, (key, value)| front_matter.with_field(key, value),
    );
    Skill::new(
        skill::URI,
        front_matter,
        SkillResources::Files(vec![SkillResource::from_bytes(
            skill::URI,
            skill::SKILL_MD.as_bytes(),
        )]),
    )
}

/// `skills/list`: the one skill, on one page.
pub fn list_skills(cursor: Option<&str>) -> Result<ListSkillsResult, ErrorData> {
    match cursor {
        None => Ok(ListSkillsResult::with_all_items(vec![skill_entry()])),
        Some(cursor) => Err(ErrorData::invalid_params(
            format!(
                "cursor `{}` is not one the skill list gave; omit it to start at the first",
                printable(cursor)
            ),
            None,
        )),
    }
}

/// `skills/get`: the skill at `uri`, which must be the one served.
pub fn get_skill(uri: &str) -> Result<GetSkillResult, ErrorData> {
    if uri == skill::URI {
        return Ok(GetSkillResult::new(skill_entry()));
    }
    Err(ErrorData::invalid_params(
        format!(
            "no skill `{}`; the skill served is {}",
            printable(uri),
            skill::URI
        ),
        Some(serde_json::json!({ "uri": uri })),
    ))
}

pub fn templates() -> ListResourceTemplatesResult {
    ListResourceTemplatesResult::with_all_items(
        TEMPLATES
            .iter()
            .map(|template| {
                ResourceTemplate::new(template.uri_template, template.name)
                    .with_description(template.description)
                    .with_mime_type(template.mime_type)
            })
            .collect(),
    )
}

/// The read's answer; a refusal names the URI asked for in its data, as
/// the specification asks.
pub fn read_result(
    uri: &str,
    outcome: Result<resource::ResourceText, ServiceError>,
) -> Result<rmcp::model::ReadResourceResult, ErrorData> {
    let data = Some(serde_json::json!({ "uri": uri }));
    match outcome {
        Ok(read) => Ok(rmcp::model::ReadResourceResult::new(vec![
            ResourceContents::text(read.text, read.uri).with_mime_type(read.mime_type),
        ])),
        Err(error @ ServiceError::BadUri { .. }) => {
            Err(ErrorData::invalid_params(error.message(&Tools), data))
        }
        Err(error) => Err(ErrorData::resource_not_found(error.message(&Tools), data)),
    }
}

/// What a completion request asks: whose argument (a resource template's
/// or a prompt's), the argument, its value so far, and the feature the
/// client already chose.
pub struct Asked {
    pub of: Completing,
    pub argument: String,
    pub value: String,
    pub feature: Option<String>,
}

/// What holds the argument being completed.
pub enum Completing {
    /// A resource template, by its URI template.
    Template(String),
    /// A prompt, by name.
    Prompt(String),
}

pub fn completion_request(request: &CompleteRequestParams) -> Option<Asked> {
    let of = match &request.r#ref {
        Reference::Resource(reference) => Completing::Template(reference.uri.clone()),
        Reference::Prompt(reference) => Completing::Prompt(reference.name.clone()),
        _ => return None,
    };
    Some(Asked {
        of,
        argument: request.argument.name.clone(),
        value: request.argument.value.clone(),
        feature: request
            .context
            .as_ref()
            .and_then(|context| context.get_argument("feature"))
            .cloned(),
    })
}

pub fn complete_result(completion: resource::Completion) -> CompleteResult {
    let total = u32::try_from(completion.total).unwrap_or(u32::MAX);
    let has_more = completion.total > completion.values.len();
    // Within MCP's limit by construction: the service cuts at it.
    let info = CompletionInfo::with_pagination(completion.values, Some(total), has_more)
        .unwrap_or_default();
    CompleteResult::new(info)
}

#[cfg(test)]
mod tests {
    use rmcp::model::SubscriptionFilter;

    use super::{Subscriptions, accepted_filter};

    #[test]
    fn a_subscription_is_kept_as_written_and_dropped_however_written() {
        let subscriptions = Subscriptions::default();
        subscriptions
            .subscribe("spec://pay@kiro/tasks/1.2")
            .unwrap();
        subscriptions.subscribe("spec://a/prd.md").unwrap();
        assert!(subscriptions.subscribe("file:///etc/passwd").is_err());
        assert_eq!(
            *subscriptions.lock(),
            [
                "spec://a/prd.md".to_string(),
                "spec://pay@kiro/tasks/1.2".to_string()
            ]
            .into()
        );
        subscriptions.unsubscribe("spec://pay%40kiro/tasks/1.2");
        assert_eq!(
            *subscriptions.lock(),
            ["spec://a/prd.md".to_string()].into()
        );
    }

    #[test]
    fn a_listen_filter_keeps_our_uris_and_the_resource_list_only() {
        let requested = SubscriptionFilter::builder()
            .tools_list_changed()
            .resources_list_changed()
            .resource_subscription("spec://a/prd.md")
            .resource_subscription("file:///etc/passwd")
            .build();
        let accepted = accepted_filter(&requested);
        assert_eq!(
            accepted,
            SubscriptionFilter::builder()
                .resources_list_changed()
                .resource_subscription("spec://a/prd.md")
                .build()
        );
    }
}
