//! `spec-mcp install`, run as a process on temp project and home folders:
//! each client's config is merged into without losing another server or
//! key, refused untouched when it is not JSON, left alone by `--print`
//! and by a second run; the skill is written and never over a different
//! one. Then the real Claude Code CLI (`claude mcp list`, installed by
//! `scripts/test`) must find the server it was given and connect to it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};
use spec_mcp::skill;

use crate::support::{HttpServer, KIT_ENV, copy_tree, repo, snapshot};

/// A hang fails the test instead of blocking CI.
const TIMEOUT: Duration = Duration::from_secs(120);

/// A project folder holding the example kit, and a home folder of its own
/// so that no real user config is read or written.
struct Setup {
    project: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup {
            project: tempfile::tempdir().expect("temp dir"),
            home: tempfile::tempdir().expect("temp dir"),
        };
        copy_tree(
            &repo().join("specs-example"),
            &setup.project.path().join("specs"),
        );
        setup
    }

    fn project(&self) -> PathBuf {
        fs::canonicalize(self.project.path()).expect("canonical project")
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    /// `spec-mcp install <args>` run in the project folder.
    fn install(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
        for name in KIT_ENV {
            command.env_remove(name);
        }
        command
            .current_dir(self.project.path())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env_remove("CLAUDE_CONFIG_DIR")
            .arg("install")
            .args(args)
            .timeout(TIMEOUT);
        command
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.project().join(relative);
        fs::create_dir_all(path.parent().expect("a folder")).expect("create dir");
        fs::write(&path, text).expect("write");
        path
    }
}

fn binary() -> String {
    fs::canonicalize(env!("CARGO_BIN_EXE_spec-mcp"))
        .expect("canonical binary")
        .to_str()
        .expect("UTF-8")
        .to_string()
}

fn read_json(path: &Path) -> Value {
    let text =
        fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{}: {error}\n{text}", path.display()))
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8")
}

/// One client, as `install` must write it.
struct Client {
    name: &'static str,
    /// The project config, relative to the project folder.
    config: &'static str,
    /// The key holding the servers.
    servers: &'static str,
}

const CLAUDE: Client = Client {
    name: "claude",
    config: ".mcp.json",
    servers: "mcpServers",
};
const CURSOR: Client = Client {
    name: "cursor",
    config: ".cursor/mcp.json",
    servers: "mcpServers",
};
const VSCODE: Client = Client {
    name: "vscode",
    config: ".vscode/mcp.json",
    servers: "servers",
};
const CLIENTS: [Client; 3] = [CLAUDE, CURSOR, VSCODE];

impl Client {
    /// The entry that starts this binary on `project`.
    fn stdio_entry(&self, project: &Path) -> Value {
        let args = json!(["serve", "--root", project.to_str().expect("UTF-8")]);
        match self.name {
            "claude" => json!({"type": "stdio", "command": binary(), "args": args, "env": {}}),
            "cursor" => json!({"command": binary(), "args": args}),
            _ => json!({"type": "stdio", "command": binary(), "args": args}),
        }
    }

    fn http_entry(&self, url: &str) -> Value {
        match self.name {
            "cursor" => json!({"url": url}),
            _ => json!({"type": "http", "url": url}),
        }
    }

    /// A config the user already has: another server, keys around it.
    fn existing(&self) -> &'static str {
        match self.name {
            "vscode" => {
                "{\n  // Servers of my own.\n  \"inputs\": [{\"type\": \"promptString\", \"id\": \"token\"}],\n  \"servers\": {\n    \"github\": {\"type\": \"http\", \"url\": \"https://api.githubcopilot.com/mcp/\"},\n  },\n  \"zzz\": {\"nested\": [1, 2.5, null]},\n}\n"
            }
            _ => {
                "{\n  \"theme\": \"dark\",\n  \"mcpServers\": {\n    \"github\": {\n      \"command\": \"npx\",\n      \"args\": [\"-y\", \"@modelcontextprotocol/server-github\"],\n      \"env\": {\"GITHUB_TOKEN\": \"t\\u00e9st\"}\n    }\n  },\n  \"zzz\": {\"nested\": [1, 2.5, null]}\n}\n"
            }
        }
    }

    /// `existing` as every JSON reader sees it (comments and trailing
    /// commas taken out by hand for VS Code's).
    fn existing_value(&self) -> Value {
        match self.name {
            "vscode" => json!({
                "inputs": [{"type": "promptString", "id": "token"}],
                "servers": {"github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}},
                "zzz": {"nested": [1, 2.5, null]}
            }),
            _ => json!({
                "theme": "dark",
                "mcpServers": {"github": {
                    "command": "npx",
                    "args": ["-y", "@modelcontextprotocol/server-github"],
                    "env": {"GITHUB_TOKEN": "tést"}
                }},
                "zzz": {"nested": [1, 2.5, null]}
            }),
        }
    }

    /// Reads the config, for VS Code's JSONC without the comment and the
    /// trailing commas `existing` has.
    fn read(&self, path: &Path) -> Value {
        if self.name != "vscode" {
            return read_json(path);
        }
        let text = fs::read_to_string(path).expect("read");
        let plain = text
            .replace("  // Servers of my own.\n", "")
            .replace("},\n  },\n", "}\n  },\n")
            .replace("]},\n}", "]}\n}");
        serde_json::from_str(&plain).unwrap_or_else(|error| panic!("{error}\n{text}"))
    }
}

// ---------------------------------------------------------------------------
// Each client's config
// ---------------------------------------------------------------------------

#[test]
fn a_new_config_holds_the_entry_with_absolute_paths() {
    for client in CLIENTS {
        let setup = Setup::new();
        let output = setup
            .install(&[client.name])
            .assert()
            .success()
            .get_output()
            .clone();
        let config = read_json(&setup.project().join(client.config));
        assert_eq!(
            config,
            json!({client.servers: {"spec-mcp": client.stdio_entry(&setup.project())}}),
            "{}",
            client.name
        );
        assert!(
            stdout(&output).starts_with("added `spec-mcp` to "),
            "{}",
            stdout(&output)
        );
        assert!(stdout(&output).contains(&format!("+   \"command\": \"{}\"", binary())));
    }
}

#[test]
fn every_other_server_and_key_survives_the_merge() {
    for client in CLIENTS {
        let setup = Setup::new();
        let path = setup.write(client.config, client.existing());
        setup.install(&[client.name]).assert().success();
        let mut expected = client.existing_value();
        expected[client.servers]["spec-mcp"] = client.stdio_entry(&setup.project());
        assert_eq!(client.read(&path), expected, "{}", client.name);
        // The text around our entry is the user's, as it was.
        let text = fs::read_to_string(&path).expect("read");
        let original = client.existing();
        let insert_at = original
            .find("\n  }")
            .expect("the servers object closes on a line of its own");
        let kept_before = original[..insert_at].trim_end_matches(',');
        assert!(text.starts_with(kept_before), "{text}");
        assert!(text.ends_with(&original[insert_at..]), "{text}");
    }
}

#[test]
fn a_second_run_says_unchanged_and_writes_nothing() {
    for client in CLIENTS {
        let setup = Setup::new();
        setup.write(client.config, client.existing());
        setup.install(&[client.name]).assert().success();
        let before = snapshot(setup.project.path());
        let output = setup
            .install(&[client.name])
            .assert()
            .success()
            .get_output()
            .clone();
        assert!(
            stdout(&output).starts_with("unchanged: "),
            "{}",
            stdout(&output)
        );
        assert_eq!(snapshot(setup.project.path()), before, "{}", client.name);
    }
}

#[test]
fn another_entry_of_our_name_is_replaced_and_the_change_shown() {
    for client in CLIENTS {
        let setup = Setup::new();
        let stale = format!(
            "{{\"{}\": {{\"spec-mcp\": {{\"command\": \"/old/spec-mcp\"}}, \"other\": {{\"command\": \"x\"}}}}}}",
            client.servers
        );
        let path = setup.write(client.config, &stale);
        let output = setup
            .install(&[client.name])
            .assert()
            .success()
            .get_output()
            .clone();
        let config = client.read(&path);
        assert_eq!(
            config[client.servers]["spec-mcp"],
            client.stdio_entry(&setup.project())
        );
        assert_eq!(config[client.servers]["other"], json!({"command": "x"}));
        let report = stdout(&output);
        assert!(report.starts_with("replaced `spec-mcp` in "), "{report}");
        assert!(
            report.contains("-   \"command\": \"/old/spec-mcp\""),
            "{report}"
        );
        assert!(
            report.contains(&format!("+   \"command\": \"{}\"", binary())),
            "{report}"
        );
    }
}

#[test]
fn the_users_own_settings_in_our_entry_survive_a_new_install() {
    for client in CLIENTS {
        let setup = Setup::new();
        let stale = format!(
            "{{\"{}\": {{\"spec-mcp\": {{\"command\": \"/old/spec-mcp\", \"args\": [], \
             \"env\": {{\"API_TOKEN\": \"secret123\"}}, \"timeout\": 5000}}}}}}",
            client.servers
        );
        let path = setup.write(client.config, &stale);
        let output = setup
            .install(&[client.name])
            .assert()
            .success()
            .get_output()
            .clone();
        let entry = &client.read(&path)[client.servers]["spec-mcp"];
        let wanted = client.stdio_entry(&setup.project());
        assert_eq!(
            entry["command"], wanted["command"],
            "{}: {entry}",
            client.name
        );
        assert_eq!(entry["args"], wanted["args"], "{}: {entry}", client.name);
        assert_eq!(
            entry["env"]["API_TOKEN"], "secret123",
            "{}: {entry}",
            client.name
        );
        assert_eq!(entry["timeout"], 5000, "{}: {entry}", client.name);
        let report = stdout(&output);
        assert!(!report.contains("secret123"), "{report}");

        // Switched to a team server, the command goes; the rest stays.
        setup
            .install(&[client.name, "--http", "http://127.0.0.1:9/mcp"])
            .assert()
            .success();
        let entry = &client.read(&path)[client.servers]["spec-mcp"];
        assert_eq!(entry["url"], "http://127.0.0.1:9/mcp", "{entry}");
        assert!(
            entry.get("command").is_none() && entry.get("args").is_none(),
            "{entry}"
        );
        assert_eq!(entry["timeout"], 5000, "{entry}");
        let output = setup
            .install(&[client.name, "--http", "http://127.0.0.1:9/mcp"])
            .assert()
            .success()
            .get_output()
            .clone();
        assert!(
            stdout(&output).starts_with("unchanged"),
            "{}",
            stdout(&output)
        );
    }
}

#[test]
fn a_config_that_is_not_json_is_refused_untouched() {
    let cases = [
        (CLAUDE, "{\"mcpServers\": {\"a\": 1,}}", "line 1, column 24"),
        (
            CLAUDE,
            "{\n  // a note\n}",
            "line 2, column 3: comments are not allowed",
        ),
        (CURSOR, "{\"mcpServers\": [", "line 1, column 16"),
        (
            CURSOR,
            "{\"mcpServers\": []}",
            "`mcpServers` is an array, not an object",
        ),
        (VSCODE, "{\"servers\": {\"a\": }}", "line 1, column 19"),
        (VSCODE, "[]", "the top level is an array"),
    ];
    for (client, text, said) in cases {
        let setup = Setup::new();
        let path = setup.write(client.config, text);
        let output = setup
            .install(&[client.name, "--skill"])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let refusal = stderr(&output);
        assert!(refusal.contains(&path.display().to_string()), "{refusal}");
        assert!(refusal.contains(said), "{text:?}: {refusal}");
        assert_eq!(fs::read_to_string(&path).expect("read"), text);
        assert!(
            !setup.project().join(".claude").exists(),
            "the skill waits for the config"
        );
    }
}

#[test]
fn print_shows_the_result_and_writes_nothing() {
    for client in CLIENTS {
        let setup = Setup::new();
        setup.write(client.config, client.existing());
        let before = snapshot(setup.project.path());
        let output = setup
            .install(&[client.name, "--print", "--skill"])
            .assert()
            .success()
            .get_output()
            .clone();
        assert_eq!(snapshot(setup.project.path()), before, "{}", client.name);
        let printed = stdout(&output);
        assert!(printed.contains("\"spec-mcp\": {"), "{printed}");
        assert!(
            printed.contains(&format!("\"command\": \"{}\"", binary())),
            "{printed}"
        );
        assert!(
            printed.contains("\"zzz\": {\"nested\": [1, 2.5, null]}"),
            "{printed}"
        );
    }
}

#[test]
fn http_registers_the_url() {
    let url = "http://127.0.0.1:8080/mcp";
    for client in CLIENTS {
        let setup = Setup::new();
        setup
            .install(&[client.name, "--http", url])
            .assert()
            .success();
        let config = read_json(&setup.project().join(client.config));
        assert_eq!(
            config,
            json!({client.servers: {"spec-mcp": client.http_entry(url)}}),
            "{}",
            client.name
        );
    }
    Setup::new()
        .install(&["claude", "--http", "127.0.0.1:8080"])
        .assert()
        .code(2);
}

#[test]
fn kit_options_given_to_install_reach_the_server() {
    let setup = Setup::new();
    setup
        .install(&[])
        .args(["claude"])
        .env("SPEC_MCP_LAYOUT", "native")
        .env("SPEC_MCP_FEATURE", "image-upload")
        .assert()
        .success();
    let config = read_json(&setup.project().join(".mcp.json"));
    assert_eq!(
        config["mcpServers"]["spec-mcp"]["args"],
        json!([
            "serve",
            "--root",
            setup.project().to_str().expect("UTF-8"),
            "--layout",
            "native",
            "--feature",
            "image-upload"
        ])
    );
}

#[test]
fn a_missing_project_folder_is_refused() {
    let setup = Setup::new();
    let output = setup
        .install(&["claude"])
        .args(["--root", "no-such-folder"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(
        stderr(&output).contains("no-such-folder"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------------------
// User scope
// ---------------------------------------------------------------------------

#[test]
fn user_scope_writes_into_the_home_folder() {
    let setup = Setup::new();
    // Claude Code's own file holds much else, all of which must stay.
    let claude_json = setup.home().join(".claude.json");
    fs::write(
        &claude_json,
        "{\n  \"numStartups\": 3,\n  \"projects\": {\"/x\": {\"mcpServers\": {}}},\n  \"mcpServers\": {\"other\": {\"type\": \"stdio\", \"command\": \"x\", \"args\": []}}\n}\n",
    )
    .expect("write");
    setup
        .install(&["claude", "--scope", "user"])
        .assert()
        .success();
    let config = read_json(&claude_json);
    assert_eq!(config["numStartups"], 3);
    assert_eq!(config["projects"], json!({"/x": {"mcpServers": {}}}));
    assert_eq!(config["mcpServers"]["other"]["command"], "x");
    assert_eq!(
        config["mcpServers"]["spec-mcp"],
        CLAUDE.stdio_entry(&setup.project())
    );

    // CLAUDE_CONFIG_DIR moves Claude Code's file, and ours with it.
    let elsewhere = setup.home().join("claude-config");
    setup
        .install(&["claude", "--scope", "user"])
        .env("CLAUDE_CONFIG_DIR", &elsewhere)
        .assert()
        .success();
    assert!(read_json(&elsewhere.join(".claude.json"))["mcpServers"]["spec-mcp"].is_object());

    setup
        .install(&["cursor", "--scope", "user"])
        .assert()
        .success();
    assert_eq!(
        read_json(&setup.home().join(".cursor/mcp.json")),
        json!({"mcpServers": {"spec-mcp": CURSOR.stdio_entry(&setup.project())}})
    );
    assert!(!setup.project().join(".mcp.json").exists());
    assert!(!setup.project().join(".cursor").exists());
}

#[test]
fn vscode_user_scope_needs_the_vscode_user_folder() {
    let setup = Setup::new();
    let output = setup
        .install(&["vscode", "--scope", "user"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let refusal = stderr(&output);
    assert!(
        refusal.contains("code --add-mcp '{\"name\":\"spec-mcp\""),
        "{refusal}"
    );
    let user = setup.home().join(".config/Code/User");
    assert!(!user.exists());
    fs::create_dir_all(&user).expect("create dir");
    setup
        .install(&["vscode", "--scope", "user"])
        .assert()
        .success();
    assert_eq!(
        read_json(&user.join("mcp.json")),
        json!({"servers": {"spec-mcp": VSCODE.stdio_entry(&setup.project())}})
    );
}

// ---------------------------------------------------------------------------
// The skill
// ---------------------------------------------------------------------------

const SKILL_FILES: [&str; 2] = [
    ".claude/skills/spec-driven/SKILL.md",
    ".agents/skills/spec-driven/SKILL.md",
];

#[test]
fn skill_writes_both_files_and_then_says_unchanged() {
    let setup = Setup::new();
    let output = setup
        .install(&["--skill"])
        .assert()
        .success()
        .get_output()
        .clone();
    for file in SKILL_FILES {
        assert_eq!(
            fs::read_to_string(setup.project().join(file)).expect("read"),
            skill::SKILL_MD
        );
        assert!(
            stdout(&output).contains(&format!("wrote {}", setup.project().join(file).display()))
        );
    }
    assert!(SKILL_FILES[0].contains(skill::NAME));
    assert!(
        !setup.project().join(".mcp.json").exists(),
        "no client, no config"
    );
    let again = setup
        .install(&["claude", "--skill"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        stdout(&again).matches("unchanged: ").count(),
        2,
        "{}",
        stdout(&again)
    );
    assert!(setup.project().join(".mcp.json").exists());
}

#[test]
fn skill_refuses_a_different_skill_md_unless_forced() {
    let setup = Setup::new();
    let mine = setup.write(
        SKILL_FILES[1],
        "---\nname: spec-driven\n---\nMy own rules.\n",
    );
    let output = setup
        .install(&["claude", "--skill"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let said = stderr(&output);
    assert!(
        said.contains(&mine.display().to_string()) && said.contains("--force"),
        "{said}"
    );
    assert_eq!(
        fs::read_to_string(&mine).expect("read"),
        "---\nname: spec-driven\n---\nMy own rules.\n"
    );
    assert!(
        !setup.project().join(SKILL_FILES[0]).exists(),
        "nothing is written on a refusal"
    );
    assert!(
        !setup.project().join(".mcp.json").exists(),
        "nothing is written on a refusal"
    );
    setup.install(&["--skill", "--force"]).assert().success();
    assert_eq!(fs::read_to_string(&mine).expect("read"), skill::SKILL_MD);
}

#[test]
fn install_needs_a_client_or_the_skill() {
    Setup::new().install(&[]).assert().code(2);
    Setup::new()
        .install(&["--http", "http://h/mcp"])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------------------
// The real Claude Code CLI
// ---------------------------------------------------------------------------

/// `claude` from `tests/clients/claude`, where `scripts/test` installed it,
/// run through the package's launcher under the Node `scripts/test`
/// brings; `None` (after saying so) without `scripts/test`, a failure
/// under it.
fn claude_code() -> Option<(std::ffi::OsString, PathBuf)> {
    let Some(folder) = std::env::var_os("SPEC_MCP_CLAUDE") else {
        assert!(
            std::env::var_os("SPEC_MCP_SDK_REQUIRED").is_none(),
            "scripts/test installed the clients but SPEC_MCP_CLAUDE is not set"
        );
        crate::support::note(
            "skipping: run ./scripts/test to install Claude Code (SPEC_MCP_CLAUDE is not set)",
        );
        return None;
    };
    let folder = PathBuf::from(folder);
    let node = std::env::var_os("SPEC_MCP_INSPECTOR_NODE")
        .expect("scripts/test sets SPEC_MCP_INSPECTOR_NODE beside SPEC_MCP_CLAUDE");
    let package = folder.join("node_modules/@anthropic-ai/claude-code");
    let pinned =
        read_json(&folder.join("package.json"))["dependencies"]["@anthropic-ai/claude-code"]
            .clone();
    assert_eq!(
        read_json(&package.join("package.json"))["version"],
        pinned,
        "the installed Claude Code is not the pinned one: run ./scripts/test"
    );
    Some((node, package.join("cli-wrapper.cjs")))
}

/// What `claude mcp list` prints, run in `folder` with `home` as its home
/// and nothing that would reach the network on its own.
fn claude_mcp_list(folder: &Path, home: &Path) -> Option<String> {
    let (node, launcher) = claude_code()?;
    let output = Command::new(node)
        .arg(launcher)
        .args(["mcp", "list"])
        .current_dir(folder)
        .env("HOME", home)
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("ANTHROPIC_API_KEY")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .timeout(TIMEOUT)
        .output()
        .expect("claude runs");
    let stdout = stdout(&output);
    assert!(
        output.status.success(),
        "claude mcp list: {}\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Some(stdout)
}

/// The line `claude mcp list` prints for spec-mcp.
fn spec_mcp_line(listing: &str) -> &str {
    listing
        .lines()
        .find(|line| line.starts_with("spec-mcp: "))
        .unwrap_or_else(|| panic!("claude mcp list does not list spec-mcp:\n{listing}"))
}

#[test]
fn claude_code_connects_to_the_project_server_install_wrote() {
    let setup = Setup::new();
    setup.install(&["claude"]).assert().success();
    // Claude Code starts a server from `.mcp.json` only once it is
    // approved; the settings in the (temp) home approve ours by name.
    let settings = setup.home().join(".claude/settings.json");
    fs::create_dir_all(settings.parent().expect("a folder")).expect("create dir");
    fs::write(&settings, r#"{"enabledMcpjsonServers": ["spec-mcp"]}"#).expect("write");
    let Some(listing) = claude_mcp_list(&setup.project(), setup.home()) else {
        return;
    };
    let line = spec_mcp_line(&listing);
    assert!(line.contains(&binary()), "{line}");
    assert!(line.ends_with("✔ Connected"), "{listing}");

    // The same check fails on an entry that cannot start.
    let path = setup.project().join(".mcp.json");
    let broken = fs::read_to_string(&path)
        .expect("read")
        .replace(&binary(), "/nonexistent/spec-mcp");
    fs::write(&path, broken).expect("write");
    let listing = claude_mcp_list(&setup.project(), setup.home()).expect("installed");
    assert!(!spec_mcp_line(&listing).contains("Connected"), "{listing}");
}

#[test]
fn claude_code_connects_to_the_user_server_install_wrote() {
    let setup = Setup::new();
    setup
        .install(&["claude", "--scope", "user"])
        .assert()
        .success();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let Some(listing) = claude_mcp_list(elsewhere.path(), setup.home()) else {
        return;
    };
    assert!(
        spec_mcp_line(&listing).ends_with("✔ Connected"),
        "{listing}"
    );
}

#[test]
fn claude_code_connects_to_the_http_endpoint_install_wrote() {
    let setup = Setup::new();
    let server = HttpServer::start(&setup.project().join("specs"), &[]);
    let url = format!("{}/mcp", server.base);
    setup
        .install(&["claude", "--http", &url])
        .assert()
        .success();
    let settings = setup.home().join(".claude/settings.json");
    fs::create_dir_all(settings.parent().expect("a folder")).expect("create dir");
    fs::write(&settings, r#"{"enabledMcpjsonServers": ["spec-mcp"]}"#).expect("write");
    let Some(listing) = claude_mcp_list(&setup.project(), setup.home()) else {
        return;
    };
    let line = spec_mcp_line(&listing);
    assert!(line.contains(&url), "{line}");
    assert!(line.ends_with("✔ Connected"), "{listing}");
}

// ---------------------------------------------------------------------------
// The registry entry
// ---------------------------------------------------------------------------

/// `server.json`, what the MCP registry lists, must describe this build:
/// its version, the crate, the command that serves, and the fields the
/// registry's schema (2025-12-11) requires and bounds.
#[test]
fn server_json_describes_this_version() {
    let server = read_json(&repo().join("server.json"));
    assert_eq!(
        server["$schema"],
        "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    );
    assert_eq!(server["version"], env!("CARGO_PKG_VERSION"));
    let name = server["name"].as_str().expect("a name");
    let (namespace, server_name) = name.split_once('/').expect("namespace/name");
    assert!(
        !namespace.is_empty()
            && namespace
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
            && server_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
        "{name}"
    );
    assert_eq!(server_name, env!("CARGO_PKG_NAME"));
    let description = server["description"].as_str().expect("a description");
    assert!(
        (1..=100).contains(&description.chars().count()),
        "{description}"
    );
    let repository = env!("CARGO_PKG_REPOSITORY");
    if let Some(path) = repository.strip_prefix("https://github.com/") {
        let owner = path.split('/').next().expect("an owner");
        assert_eq!(namespace, format!("io.github.{owner}"));
        assert_eq!(server["repository"]["url"], repository);
    }
    let [package] = server["packages"].as_array().expect("packages").as_slice() else {
        panic!("one package");
    };
    assert_eq!(package["identifier"], env!("CARGO_PKG_NAME"));
    assert_eq!(package["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(package["transport"], json!({"type": "stdio"}));
    let arguments: Vec<&str> = package["packageArguments"]
        .as_array()
        .expect("arguments")
        .iter()
        .map(|argument| {
            argument["value"]
                .as_str()
                .or(argument["name"].as_str())
                .expect("a value or a name")
        })
        .collect();
    assert_eq!(arguments, ["serve", "--root"]);
}

#[cfg(unix)]
#[test]
#[cfg(unix)]
fn a_linked_skill_file_is_written_through_and_a_dangling_link_refused() {
    let setup = Setup::new();
    let [claude, agents] = SKILL_FILES.map(|file| setup.project().join(file));
    // One copy of the skill, linked from the other folder.
    fs::create_dir_all(agents.parent().expect("a folder")).expect("create dir");
    std::os::unix::fs::symlink("../../../.claude/skills/spec-driven/SKILL.md", &agents)
        .expect("symlink");
    // The link dangles until `.claude`'s copy is there: refused, untouched.
    let refused = setup
        .install(&["--skill"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(
        stderr(&refused).contains("following the link"),
        "{}",
        stderr(&refused)
    );
    assert!(!claude.exists(), "nothing was written");
    assert!(
        fs::symlink_metadata(&agents)
            .expect("link")
            .file_type()
            .is_symlink()
    );

    fs::create_dir_all(claude.parent().expect("a folder")).expect("create dir");
    fs::write(&claude, skill::SKILL_MD).expect("write");
    setup.install(&["--skill"]).assert().success();
    assert!(
        fs::symlink_metadata(&agents)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&agents).expect("read"), skill::SKILL_MD);
}

#[test]
fn a_linked_config_stays_a_link_and_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let setup = Setup::new();
    // Dotfiles kept in a folder of their own, linked into place.
    let target = setup.home().join("dotfiles/claude.json");
    fs::create_dir_all(target.parent().expect("a folder")).expect("create dir");
    fs::write(&target, "{\"numStartups\": 1}\n").expect("write");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = setup.home().join(".claude.json");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    setup
        .install(&["claude", "--scope", "user"])
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    let config = read_json(&target);
    assert_eq!(config["numStartups"], 1);
    assert!(config["mcpServers"]["spec-mcp"].is_object());
    let mode = |path: &Path| fs::metadata(path).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&target), 0o640);

    // A new file in the home folder is its owner's alone; one in the
    // project is readable as the repository's files are.
    setup
        .install(&["cursor", "--scope", "user"])
        .assert()
        .success();
    assert_eq!(mode(&setup.home().join(".cursor/mcp.json")), 0o600);
    setup.install(&["cursor"]).assert().success();
    assert_eq!(mode(&setup.project().join(".cursor/mcp.json")), 0o644);
}
