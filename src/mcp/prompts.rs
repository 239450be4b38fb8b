//! The prompt shims: `prompts/list` and `prompts/get` over the service's
//! `prompt` module, whose answers become rmcp's types here. Completion of
//! a prompt's arguments goes through `resources::completion_request` with
//! the templates' own.

use rmcp::model::{
    ErrorData, GetPromptResult, JsonObject, ListPromptsResult, Prompt, PromptArgument,
    PromptMessage, Role,
};
use serde_json::Value;

use crate::mcp::server::Tools;
use crate::service::ServiceError;
use crate::service::prompt::{self, PROMPTS};

pub fn list_result() -> ListPromptsResult {
    ListPromptsResult::with_all_items(
        PROMPTS
            .iter()
            .map(|info| {
                let arguments = info
                    .arguments
                    .iter()
                    .map(|argument| {
                        PromptArgument::new(argument.name)
                            .with_description(argument.description)
                            .with_required(false)
                    })
                    .collect();
                Prompt::new(info.name, Some(info.description), Some(arguments))
                    .with_title(info.title)
            })
            .collect(),
    )
}

/// The arguments of a `prompts/get` request as text, in order. MCP gives
/// them as strings; a number or a boolean is taken as its text, anything
/// else is refused.
pub fn arguments(given: Option<JsonObject>) -> Result<Vec<(String, String)>, ErrorData> {
    let mut arguments = Vec::new();
    for (name, value) in given.unwrap_or_default() {
        let text = match value {
            Value::String(text) => text,
            Value::Null => continue,
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            Value::Array(_) | Value::Object(_) => {
                return Err(ErrorData::invalid_params(
                    format!("prompt argument `{name}` must be a string"),
                    None,
                ));
            }
        };
        arguments.push((name, text));
    }
    Ok(arguments)
}

/// The filled prompt, or the refusal as invalid params naming the valid
/// choices, as a tool's refusal does.
pub fn get_result(
    outcome: Result<prompt::Prompt, ServiceError>,
) -> Result<GetPromptResult, ErrorData> {
    match outcome {
        Ok(filled) => Ok(GetPromptResult::new(
            filled
                .messages
                .into_iter()
                .map(|text| PromptMessage::new_text(Role::User, text))
                .collect(),
        )
        .with_description(filled.description)),
        Err(error) => {
            let message = error.message(&Tools);
            tracing::info!(error = %message, "prompt refused");
            Err(ErrorData::invalid_params(message, None))
        }
    }
}
