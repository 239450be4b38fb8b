//! The MCP handler: rmcp's side of the answer service. One value per
//! client session, sharing one [`Kit`]; every tool is a shim that runs the
//! service's function off the async workers and turns its answer into a
//! tool result. Knows no transport; `transport` hands it a connection.

use std::sync::{Arc, Mutex, PoisonError};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestMethod, CallToolRequestParams, CallToolResult, CompleteRequestParams,
    CompleteResult, ConstString, ContentBlock, CustomRequest, CustomResult, ErrorCode,
    GetPromptRequestParams, GetPromptResponse, GetSkillRequestParams, GetSkillResult,
    Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListSkillsResult, ListToolsRequestMethod, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig, SubscribeRequestParams,
    SubscriptionFilter, UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use serde::Serialize;

use crate::lint::Levels;
use crate::mcp::resources::{self, Completing, Subscriptions};
use crate::mcp::splice::Splices;
use crate::mcp::{prompts, render, schema};
use crate::note::{Param, Step, Wording};
use crate::service::answer::{
    AcceptanceCriteria, Asked, Check, Constraints, CurrentTask, DefinitionOfDone, OutOfScope,
    Pinned, Questions, Tasks,
};
use crate::service::params::{
    AskQuestion, CheckSpec, ConstraintsQuery, CurrentTaskQuery, ListQuestions, ListTasks,
    SetCurrentTask, Target,
};
use crate::service::{self, Kit, ServiceError, Session, prompt, resource};
use crate::workspace::printable;

/// Steps and parameters as an MCP client knows them: tools and their
/// arguments.
#[derive(Debug, Clone, Copy)]
pub struct Tools;

impl Wording for Tools {
    fn step(&self, step: Step) -> &'static str {
        match step {
            Step::Criteria => "get_acceptance_criteria",
            Step::Constraints => "get_architecture_constraints",
            Step::ListTasks => "list_tasks",
            Step::PinTask => "set_current_task",
            Step::OutOfScope => "get_out_of_scope",
            Step::DefinitionOfDone => "get_definition_of_done",
            Step::CurrentTask => "get_current_task",
            Step::ListQuestions => "list_questions",
            Step::AskQuestion => "ask_question",
            Step::Check => "check_spec",
        }
    }

    fn param(&self, param: Param) -> &'static str {
        match param {
            Param::Feature => "`feature`",
            Param::Task => "`task`",
            Param::Section => "`section`",
            Param::Cursor => "`cursor`",
            Param::Full => "`full`",
        }
    }
}

/// One client session.
#[derive(Debug, Clone)]
pub struct SpecServer {
    kit: Arc<Kit>,
    session: Arc<Session>,
    /// Whether calls run on the thread that receives them rather than on
    /// the blocking pool.
    inline: bool,
    /// Where results go serialized, when the transport splices them in.
    splices: Option<Arc<Splices>>,
    /// `get_current_task` results serialized, when results are spliced.
    kept: Arc<Mutex<Vec<KeptResult>>>,
    /// The resources this session subscribed to.
    subscriptions: Arc<Subscriptions>,
    tool_router: ToolRouter<SpecServer>,
}

/// How many `get_current_task` results a session keeps serialized. An
/// agent works on a task or two at a time; past this the keep starts
/// again.
const KEPT_RESULTS: usize = 16;

/// A `get_current_task` result serialized, and the parts it was made of.
#[derive(Debug)]
struct KeptResult {
    parts: service::CurrentTaskParts,
    text: Arc<[u8]>,
    structured: Arc<[u8]>,
}

/// A tool result with nothing in it but its two pieces, serialized; made
/// of values again when too many pieces wait to be written.
fn spliced(
    splices: &Splices,
    text: &Arc<[u8]>,
    structured: &Arc<[u8]>,
) -> Result<CallToolResult, ErrorData> {
    let (text, structured) = match splices.placeholders(text.clone(), structured.clone()) {
        Some(placeholders) => placeholders,
        None => (decode(text)?, decode(structured)?),
    };
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(structured);
    Ok(result)
}

fn decode<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, ErrorData> {
    serde_json::from_slice(json).map_err(|error| ErrorData::internal_error(error.to_string(), None))
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Arc<[u8]>, ErrorData> {
    serde_json::to_vec(value)
        .map(Arc::from)
        .map_err(|error| ErrorData::internal_error(error.to_string(), None))
}

/// A failure as an `isError` result, worded for the tools.
fn refused(error: &ServiceError) -> CallToolResult {
    let message = error.message(&Tools);
    tracing::info!(error = %message, "tool call refused");
    CallToolResult::error(vec![ContentBlock::text(message)])
}

#[tool_router]
impl SpecServer {
    pub fn new(kit: Arc<Kit>) -> SpecServer {
        SpecServer {
            kit,
            session: Arc::default(),
            inline: false,
            splices: None,
            kept: Arc::default(),
            subscriptions: Arc::default(),
            tool_router: Self::tool_router(),
        }
    }

    /// A server that runs each call on the thread that received it: for
    /// one client on a current-thread runtime (stdio), where handing a call
    /// to another thread and back costs more than most calls do. A call
    /// holds up the session's other messages while it runs, which one
    /// client sending one request at a time never sees.
    ///
    /// Its results carry placeholders for their text and structured
    /// content, which the transport replaces with `splices`' pieces as it
    /// writes them (see [`Splices`]): a `get_current_task` answer kept
    /// ready is written as it was serialized the first time.
    pub fn inline(kit: Arc<Kit>, splices: Arc<Splices>) -> SpecServer {
        SpecServer {
            inline: true,
            splices: Some(splices),
            ..SpecServer::new(kit)
        }
    }

    /// The task to work on now, with what binds it: acceptance criteria,
    /// test plan, dependencies, the architecture constraints closest to it
    /// and what is out of scope, each with its `path:line`; with `full`,
    /// also every other constraint that fits, the project-wide exclusions,
    /// the surface area that exists and the Definition of Done. Call this
    /// before writing code.
    #[tool(
        title = "Get current task",
        input_schema = schema::input::<CurrentTaskQuery>(),
        output_schema = schema::output::<CurrentTask>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_current_task(
        &self,
        Parameters(query): Parameters<CurrentTaskQuery>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer_with(
            "get_current_task",
            move |kit, session| service::current_task_parts(kit, session, &query, &Tools),
            |parts| self.current_task_result(parts),
        )
        .await
    }

    /// Acceptance criteria and test plan of a task, plus the feature-level
    /// acceptance criteria from the PRD.
    #[tool(
        title = "Get acceptance criteria",
        input_schema = schema::input::<Target>(),
        output_schema = schema::output::<AcceptanceCriteria>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_acceptance_criteria(
        &self,
        Parameters(target): Parameters<Target>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(
            "get_acceptance_criteria",
            move |kit, session| service::acceptance_criteria(kit, session, &target, &Tools),
            render::markdown,
        )
        .await
    }

    /// Architecture constraints of a feature: every rule of its technical
    /// spec (architecture, data ownership, auth, endpoints, jobs, errors,
    /// logging, deployment) and the project-wide constraints.
    #[tool(
        title = "Get architecture constraints",
        input_schema = schema::input::<ConstraintsQuery>(),
        output_schema = schema::output::<Constraints>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_architecture_constraints(
        &self,
        Parameters(params): Parameters<ConstraintsQuery>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(
            "get_architecture_constraints",
            move |kit, session| service::constraints(kit, session, &params, &Tools),
            render::markdown,
        )
        .await
    }

    /// What must not be built: the feature's out-of-scope list, its PRD's
    /// non-goals, and the project-wide exclusions.
    #[tool(
        title = "Get out of scope",
        input_schema = schema::input::<Target>(),
        output_schema = schema::output::<OutOfScope>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_out_of_scope(
        &self,
        Parameters(target): Parameters<Target>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(
            "get_out_of_scope",
            move |kit, session| service::out_of_scope(kit, session, &target),
            render::markdown,
        )
        .await
    }

    /// The Definition of Done every task must meet before it counts as done.
    #[tool(
        title = "Get Definition of Done",
        input_schema = schema::input::<Target>(),
        output_schema = schema::output::<DefinitionOfDone>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_definition_of_done(
        &self,
        Parameters(target): Parameters<Target>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(
            "get_definition_of_done",
            move |kit, session| service::definition_of_done(kit, session, &target),
            render::markdown,
        )
        .await
    }

    /// Questions recorded in the feature's spec, open and answered, with the
    /// answers people wrote. Check here before asking again.
    #[tool(
        title = "List questions",
        input_schema = schema::input::<ListQuestions>(),
        output_schema = schema::output::<Questions>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_questions(
        &self,
        Parameters(params): Parameters<ListQuestions>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(
            "list_questions",
            move |kit, session| service::questions(kit, session, &params),
            render::markdown,
        )
        .await
    }

    /// The feature's tasks with status, dependencies and which one is
    /// current: every task, in pages of 100 with a `next_cursor` when there
    /// are more.
    #[tool(
        title = "List tasks",
        input_schema = schema::input::<ListTasks>(),
        output_schema = schema::output::<Tasks>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_tasks(
        &self,
        Parameters(params): Parameters<ListTasks>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(
            "list_tasks",
            move |kit, session| service::tasks(kit, session, &params),
            render::tasks,
        )
        .await
    }

    /// Make a task the current one for the rest of this session (other
    /// sessions are not affected). Later calls that omit `task` use it.
    #[tool(
        title = "Set current task",
        input_schema = schema::input::<SetCurrentTask>(),
        output_schema = schema::output::<Pinned>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn set_current_task(
        &self,
        Parameters(params): Parameters<SetCurrentTask>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(
            "set_current_task",
            move |kit, session| service::pin_task(kit, session, &params),
            render::pinned,
        )
        .await
    }

    /// Record a question you cannot answer from the spec, instead of
    /// guessing. It is appended to the feature's Open questions with the next
    /// id (`Q-<n>`), today's date, the task and your client's name; a person
    /// answers it in the spec. Asking the same open question again returns
    /// its existing id.
    #[tool(
        title = "Ask a question",
        input_schema = schema::input::<AskQuestion>(),
        output_schema = schema::output::<Asked>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn ask_question(
        &self,
        Parameters(params): Parameters<AskQuestion>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let asked_by = context
            .client_info()
            .map_or_else(String::new, |client| client.name.clone());
        self.answer(
            "ask_question",
            move |kit, session| service::ask(kit, session, &params, &asked_by),
            render::asked,
        )
        .await
    }

    /// Check the spec for what it still lacks before work starts: tasks
    /// without acceptance criteria, dependencies on missing tasks or in a
    /// cycle, duplicate ids, template text never filled in, open
    /// `[NEEDS CLARIFICATION]` markers and questions, features stating
    /// nothing out of scope, empty sections. Each finding has a rule id, a
    /// level (`error` or `warning`) and its `path:line`.
    #[tool(
        title = "Check the spec",
        input_schema = schema::input::<CheckSpec>(),
        output_schema = schema::output::<Check>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check_spec(
        &self,
        Parameters(params): Parameters<CheckSpec>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(
            "check_spec",
            move |kit, _session| service::check(kit, &params, &Levels::default()),
            render::check,
        )
        .await
    }
}

impl SpecServer {
    /// Runs a service call on a blocking thread (it reads and may write
    /// files) and replies with its answer.
    async fn answer<T, F>(
        &self,
        tool: &'static str,
        call: F,
        render: fn(&T) -> String,
    ) -> Result<CallToolResult, ErrorData>
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&Kit, &Session) -> Result<T, ServiceError> + Send + 'static,
    {
        self.answer_with(tool, call, |answer| self.success(render(&answer), &answer))
            .await
    }

    /// Runs a service call as [`Self::answer`] does, and makes its answer
    /// into a result with `finish`.
    async fn answer_with<T, F>(
        &self,
        tool: &'static str,
        call: F,
        finish: impl FnOnce(T) -> Result<CallToolResult, ErrorData>,
    ) -> Result<CallToolResult, ErrorData>
    where
        T: Send + 'static,
        F: FnOnce(&Kit, &Session) -> Result<T, ServiceError> + Send + 'static,
    {
        let started = std::time::Instant::now();
        let outcome = self.blocking(call).await?;
        tracing::debug!(
            tool,
            ok = outcome.is_ok(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "tool answered"
        );
        match outcome {
            Ok(answer) => finish(answer),
            Err(error) => Ok(refused(&error)),
        }
    }

    /// An answer as a tool result: markdown text for people and models,
    /// structured content for programs.
    fn success<T: Serialize>(&self, text: String, answer: &T) -> Result<CallToolResult, ErrorData> {
        if let Some(splices) = &self.splices {
            return spliced(splices, &encode(&text)?, &encode(answer)?);
        }
        let value = serde_json::to_value(answer)
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
        // Not `CallToolResult::structured`, which would also print the
        // whole value as text only for it to be replaced.
        let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
        result.structured_content = Some(value);
        Ok(result)
    }

    /// `get_current_task`'s result: when results are spliced, the one
    /// serialized for the same parts if this session made it before.
    fn current_task_result(
        &self,
        parts: service::CurrentTaskParts,
    ) -> Result<CallToolResult, ErrorData> {
        let Some(splices) = &self.splices else {
            let answer = parts.answer(&Tools);
            return self.success(render::markdown(&answer), &answer);
        };
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(result) = kept.iter().find(|result| result.parts.same(&parts)) {
            return spliced(splices, &result.text, &result.structured);
        }
        let answer = parts.answer(&Tools);
        let text = encode(&render::markdown(&answer))?;
        let structured = encode(&answer)?;
        // Results built from parses the workspace no longer hands out
        // would never match again.
        kept.retain(|result| Arc::strong_count(&result.parts.built) > 1);
        if kept.len() >= KEPT_RESULTS {
            kept.clear();
        }
        let result = spliced(splices, &text, &structured);
        kept.push(KeptResult {
            parts,
            text,
            structured,
        });
        result
    }

    /// Runs `call` off the async workers (it reads files), or inline for
    /// a stdio session.
    async fn blocking<T, F>(&self, call: F) -> Result<T, ErrorData>
    where
        T: Send + 'static,
        F: FnOnce(&Kit, &Session) -> T + Send + 'static,
    {
        if self.inline {
            return Ok(call(&self.kit, &self.session));
        }
        let kit = self.kit.clone();
        let session = self.session.clone();
        tokio::task::spawn_blocking(move || call(&kit, &session))
            .await
            .map_err(|error| ErrorData::internal_error(format!("the call failed: {error}"), None))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for SpecServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_resources_list_changed()
                .enable_completions()
                .enable_prompts()
                .enable_skills()
                .build(),
        )
        .with_server_info(Implementation::new("spec-mcp", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "This server serves the project's spec kit. Before coding, call get_current_task: \
                 implement only what its acceptance criteria state, respect its constraints, \
                 build nothing out of scope, and meet the Definition of Done. When the spec does \
                 not answer something, call ask_question instead of guessing, then check \
                 list_questions for answers. Call check_spec to see what the spec still lacks \
                 (tasks without criteria, open questions, unfilled templates) before work \
                 starts. The prompts start_task, review_change, failure_modes and plan_tasks \
                 hand you the workflow filled from the kit: starting a task, reviewing a \
                 change against it, listing what can fail, breaking a feature into tasks. \
                 Every item carries its source as path:line.",
        )
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(prompts::list_result())
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let started = std::time::Instant::now();
        let name = request.name;
        let arguments = prompts::arguments(request.arguments)?;
        let asked = name.clone();
        let outcome = self
            .blocking(move |kit, session| prompt::get(kit, session, &asked, &arguments, &Tools))
            .await?;
        tracing::debug!(
            prompt = %printable(&name),
            ok = outcome.is_ok(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "prompt filled"
        );
        prompts::get_result(outcome).map(GetPromptResponse::from)
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let cursor = request.and_then(|request| request.cursor);
        let page = self
            .blocking(move |kit, _| resource::list(kit, cursor.as_deref()))
            .await?
            .map_err(|error| ErrorData::invalid_params(error.message(&Tools), None))?;
        Ok(resources::list_result(page))
    }

    async fn list_skills(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListSkillsResult, ErrorData> {
        resources::list_skills(request.and_then(|request| request.cursor).as_deref())
    }

    async fn get_skill(
        &self,
        request: GetSkillRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetSkillResult, ErrorData> {
        resources::get_skill(&request.uri)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(resources::templates())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        let asked = uri.clone();
        let outcome = self
            .blocking(move |kit, _| resource::read(kit, &asked))
            .await?;
        resources::read_result(&uri, outcome).map(ReadResourceResponse::from)
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let Some(asked) = resources::completion_request(&request) else {
            return Ok(CompleteResult::default());
        };
        let completion = self
            .blocking(move |kit, session| {
                let feature = asked.feature.as_deref();
                match &asked.of {
                    Completing::Template(template) => resource::complete(
                        kit,
                        session,
                        template,
                        &asked.argument,
                        &asked.value,
                        feature,
                    ),
                    Completing::Prompt(name) => {
                        prompt::complete(kit, session, name, &asked.argument, &asked.value, feature)
                    }
                }
            })
            .await?;
        Ok(resources::complete_result(completion))
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.subscriptions.subscribe(&request.uri)?;
        self.subscriptions.forward(&self.kit, context.peer);
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.subscriptions.unsubscribe(&request.uri);
        Ok(())
    }

    /// From the handshake on, the session hears when the resource list
    /// changes, and what it subscribes to.
    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        tracing::info!("client initialized");
        self.subscriptions.forward(&self.kit, context.peer);
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(resources::accepted_filter(requested))
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        resources::listen(&self.kit, context).await
    }

    /// rmcp hands a request for a method it knows here when its params do
    /// not parse (`tools/call` with `"arguments": "x"`, or none at all):
    /// for the methods this server serves that is invalid params, not an
    /// unknown method, and the message says what did not parse.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        let method = request.method.as_str();
        let problem = if method == CallToolRequestMethod::VALUE {
            params_problem::<CallToolRequestParams>(&request, true)
        } else if method == ListToolsRequestMethod::VALUE {
            params_problem::<PaginatedRequestParams>(&request, false)
        } else {
            None
        };
        Err(match problem {
            Some(problem) => {
                ErrorData::invalid_params(format!("invalid params for {method}: {problem}"), None)
            }
            // rmcp's own answer for a method no handler serves.
            None => ErrorData::new(ErrorCode::METHOD_NOT_FOUND, request.method, None),
        })
    }
}

/// Why a request's params are not a `T`, in serde's words; `None` when
/// they are one after all.
fn params_problem<T: serde::de::DeserializeOwned>(
    request: &CustomRequest,
    needed: bool,
) -> Option<String> {
    match request.params_as::<T>() {
        Err(error) => Some(error.to_string()),
        Ok(None) if needed => Some("params are missing".to_string()),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn with_too_many_pieces_waiting_a_result_is_made_of_values() {
        let splices = Splices::default();
        let text = encode("# T1\nline").expect("text");
        let structured = encode(&json!({"task": {"id": "T1"}})).expect("structured");
        let mut placeholders = 0;
        loop {
            let result = spliced(&splices, &text, &structured).expect("result");
            let written = result.content[0].as_text().expect("text").text.clone();
            if written == "# T1\nline" {
                assert_eq!(
                    result.structured_content,
                    Some(json!({"task": {"id": "T1"}}))
                );
                break;
            }
            assert!(written.starts_with("spec-mcp-piece-"), "{written}");
            placeholders += 1;
        }
        assert!(placeholders > 0, "placeholders while there is room");
    }
}
