//! Writes a synthetic spec kit in one of the four layouts spec-mcp reads
//! (native, spec-kit, Kiro, OpenSpec), shaped like the real kits under
//! `tests/fidelity/kits/`: the same documents, sections, list styles and
//! text lengths, with earlier features mostly done and later ones barely
//! started. Benchmarks run on it then measure what real use costs.
//!
//! ```text
//! cargo run --release --example gen-kit -- --layout kiro --features 1000 --tasks 20 /tmp/kit
//! ```
//!
//! The same arguments always give the same bytes: every choice comes from a
//! small seeded generator ([`Rng`]), one stream per feature. The kit is
//! written only into a folder that is missing or empty; nothing is ever
//! deleted or overwritten. Every task id a task depends on or links to
//! exists, and no text holds a template placeholder, so the server should
//! report no problems on a generated kit: any it reports is worth a look.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  cargo run --release --example gen-kit -- --layout native --features 3 --tasks 5 /tmp/kit-native
  cargo run --release --example gen-kit -- --layout kiro --features 1000 --tasks 20 /tmp/kit-kiro
  target/release/spec-mcp serve --root /tmp/kit-kiro

Where each layout goes in OUT:
  native    specs/project.md, specs/<feature>/{prd,tech-spec,tasks}.md
  speckit   .specify/memory/constitution.md, specs/NNN-<feature>/{spec,plan,tasks}.md
            (and research.md, data-model.md for some features)
  kiro      .kiro/steering/*.md, .kiro/specs/<feature>/{requirements,design,tasks}.md
  openspec  openspec/project.md, openspec/config.yaml, openspec/changes/<id>/...,
            openspec/specs/<capability>/spec.md (one capability per three changes)

Earlier features are mostly done, the middle ones in progress and the last
ones barely started, so the current-task rules have work to do.";

/// Write a realistic synthetic spec kit, for benchmarks and manual testing.
#[derive(Debug, Parser)]
#[command(name = "gen-kit", after_help = AFTER_HELP)]
struct Args {
    /// The layout to write.
    #[arg(long, value_enum)]
    layout: Layout,
    /// How many features: native or spec-kit feature folders, Kiro specs,
    /// OpenSpec changes.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    features: u32,
    /// Tasks per feature, as `list_tasks` counts them (Kiro parents and
    /// their steps alike).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    tasks: u32,
    /// Seed of the generator; the same arguments always write the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The folder to write the kit into: created when missing, refused
    /// unless empty.
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Layout {
    /// `specs/<feature>/prd.md`, `tech-spec.md`, `tasks.md`.
    Native,
    /// GitHub spec-kit: `specs/NNN-name/spec.md`, `plan.md`, `tasks.md`.
    #[value(alias = "spec-kit")]
    Speckit,
    /// Kiro: `.kiro/specs/<name>/requirements.md`, `design.md`, `tasks.md`.
    Kiro,
    /// OpenSpec: `openspec/changes/<id>/`, `openspec/specs/<capability>/`.
    Openspec,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Native => "native",
            Layout::Speckit => "speckit",
            Layout::Kiro => "kiro",
            Layout::Openspec => "openspec",
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen-kit: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let started = Instant::now();
    prepare_out(&args.out)?;
    let kit = Kit::new(args);
    let mut out = Output::new(&args.out);
    match args.layout {
        Layout::Native => write_native(&kit, &mut out)?,
        Layout::Speckit => write_speckit(&kit, &mut out)?,
        Layout::Kiro => write_kiro(&kit, &mut out)?,
        Layout::Openspec => write_openspec(&kit, &mut out)?,
    }
    eprintln!(
        "gen-kit: wrote {} files, {} in {:.2} s ({} layout, {} features x {} tasks) into {}",
        out.files,
        human_bytes(out.bytes),
        started.elapsed().as_secs_f64(),
        args.layout.name(),
        args.features,
        args.tasks,
        args.out.display(),
    );
    Ok(())
}

/// Creates `out`, or accepts it when it is an empty folder: the generator
/// never mixes its files with someone else's.
fn prepare_out(out: &Path) -> Result<()> {
    match fs::metadata(out) {
        Ok(meta) if !meta.is_dir() => bail!(
            "{} exists and is not a folder; give a new or empty folder",
            out.display()
        ),
        Ok(_) => {
            let mut entries =
                fs::read_dir(out).with_context(|| format!("cannot read {}", out.display()))?;
            if entries.next().is_some() {
                bail!(
                    "{} exists and is not empty; refusing to write into it (give a new or empty folder)",
                    out.display()
                );
            }
            Ok(())
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))
        }
        Err(error) => Err(error).with_context(|| format!("cannot read {}", out.display())),
    }
}

// ---------------------------------------------------------------------------
// Output

/// Where files go, and how many were written.
struct Output {
    root: PathBuf,
    files: u64,
    bytes: u64,
}

impl Output {
    fn new(root: &Path) -> Output {
        Output {
            root: root.to_path_buf(),
            files: 0,
            bytes: 0,
        }
    }

    /// Writes one file, `relative` to the root, through a buffer.
    fn file(
        &mut self,
        relative: &str,
        body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<()> {
        let path = self.root.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut counted = Counted {
            inner: BufWriter::with_capacity(64 * 1024, file),
            bytes: 0,
        };
        body(&mut counted)
            .and_then(|()| counted.inner.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
        self.files += 1;
        self.bytes += counted.bytes;
        Ok(())
    }
}

/// A writer that counts the bytes through it, for the summary line.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn human_bytes(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{}.{} MB", bytes / 1_000_000, bytes % 1_000_000 / 100_000)
    } else {
        format!("{}.{} kB", bytes / 1_000, bytes % 1_000 / 100)
    }
}

// ---------------------------------------------------------------------------
// Randomness

/// `SplitMix64`: tiny, fast and plenty to vary text. Not for secrets.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be 0.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high.saturating_sub(low) + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// `count` distinct indices of `0..len`, in random order.
    fn distinct(&mut self, len: usize, count: usize) -> Vec<usize> {
        let mut indices: Vec<usize> = (0..len).collect();
        let count = count.min(len);
        for slot in 0..count {
            let other = slot + self.below(len - slot);
            indices.swap(slot, other);
        }
        indices.truncate(count);
        indices
    }
}

// ---------------------------------------------------------------------------
// The kit's plan: names, stack, progress

struct Entity {
    one: &'static str,
    many: &'static str,
}

const fn entity(one: &'static str, many: &'static str) -> Entity {
    Entity { one, many }
}

const ENTITIES: &[Entity] = &[
    entity("invoice", "invoices"),
    entity("order", "orders"),
    entity("customer", "customers"),
    entity("report", "reports"),
    entity("project", "projects"),
    entity("comment", "comments"),
    entity("attachment", "attachments"),
    entity("notification", "notifications"),
    entity("webhook", "webhooks"),
    entity("subscription", "subscriptions"),
    entity("workspace", "workspaces"),
    entity("api key", "api keys"),
    entity("audit log", "audit logs"),
    entity("payment", "payments"),
    entity("shipment", "shipments"),
    entity("product", "products"),
    entity("dashboard", "dashboards"),
    entity("schedule", "schedules"),
    entity("template", "templates"),
    entity("contact", "contacts"),
    entity("ticket", "tickets"),
    entity("document", "documents"),
    entity("team", "teams"),
    entity("price list", "price lists"),
    entity("coupon", "coupons"),
    entity("refund", "refunds"),
    entity("review", "reviews"),
    entity("booking", "bookings"),
    entity("expense", "expenses"),
    entity("timesheet", "timesheets"),
    entity("supplier", "suppliers"),
    entity("warehouse", "warehouses"),
    entity("campaign", "campaigns"),
    entity("survey", "surveys"),
    entity("lead", "leads"),
    entity("contract", "contracts"),
];

/// What a feature does to its entity. `action` holds `{}` for the plural.
struct Kind {
    slug: &'static str,
    noun: &'static str,
    action: &'static str,
}

const fn kind(slug: &'static str, noun: &'static str, action: &'static str) -> Kind {
    Kind { slug, noun, action }
}

const KINDS: &[Kind] = &[
    kind("export", "export", "export {} to CSV"),
    kind("import", "import", "import {} from a spreadsheet"),
    kind("search", "search", "search {} by any field"),
    kind("bulk-edit", "bulk editing", "edit many {} at once"),
    kind("approvals", "approvals", "send {} for approval"),
    kind("sharing", "sharing", "share {} with people outside my team"),
    kind("reminders", "reminders", "set reminders on {}"),
    kind("history", "change history", "see who changed {} and when"),
    kind("archiving", "archiving", "archive old {}"),
    kind("sync", "sync", "keep {} in sync with the accounting system"),
    kind("saved-filters", "saved filters", "save filters over {}"),
    kind(
        "permissions",
        "permissions",
        "control who can see and change {}",
    ),
    kind("templates", "templates", "create {} from a template"),
    kind("analytics", "analytics", "chart {} over time"),
    kind("scheduling", "scheduling", "schedule {} ahead of time"),
    kind("dedup", "deduplication", "merge duplicate {}"),
    kind("tagging", "tagging", "tag {} and filter by tag"),
    kind("versions", "versioning", "restore earlier versions of {}"),
    kind(
        "retention",
        "retention rules",
        "expire {} after a retention period",
    ),
    kind("webhooks", "webhooks", "receive a webhook when {} change"),
    kind("comments", "comments", "discuss {} in comments"),
    kind(
        "notifications",
        "notifications",
        "get notified when {} need my attention",
    ),
];

const QUALIFIERS: &[&str] = &[
    "bulk",
    "scheduled",
    "shared",
    "team",
    "mobile",
    "offline",
    "partner",
    "self-serve",
    "multi-currency",
    "guest",
    "regional",
    "realtime",
];

const PRODUCTS: &[&str] = &[
    "Ledgerly",
    "Shipwise",
    "Tandem",
    "Northwind Desk",
    "Parcel Hub",
    "Brightdesk",
    "Orbit CRM",
    "Fieldnote",
];

/// The technologies a kit is written for: its paths, tools and wording.
/// Paths hold `{m}` for the feature's module and `{f}` for a file name.
struct Stack {
    language: &'static str,
    dependencies: &'static str,
    storage: &'static str,
    testing: &'static str,
    platform: &'static str,
    queue: &'static str,
    validation: &'static str,
    code: &'static str,
    test: &'static str,
    web: &'static str,
    source_tree: &'static str,
    interface: &'static str,
}

const STACKS: &[Stack] = &[
    Stack {
        language: "TypeScript 5.4 on Node 20",
        dependencies: "Fastify 4, Prisma 5, zod 3, React 18 with Vite",
        storage: "PostgreSQL 16 through Prisma; S3-compatible object storage for files",
        testing: "Vitest, Playwright, Testcontainers for PostgreSQL",
        platform: "Linux containers on Kubernetes; evergreen desktop and mobile browsers",
        queue: "pg-boss",
        validation: "zod schemas in `packages/core`",
        code: "apps/api/src/{m}/{f}.ts",
        test: "apps/api/test/{m}/{f}.test.ts",
        web: "apps/web/src/features/{m}/{f}.tsx",
        source_tree: "apps/\n├── api/\n│   ├── src/\n│   │   ├── {m}/\n│   │   └── shared/\n│   └── test/\n└── web/\n    └── src/features/{m}/\npackages/\n└── core/\n    └── src/schemas/",
        interface: "export interface {T}Service {\n  start(ownerId: string, input: {T}Input): Promise<RunId>;\n  status(ownerId: string, runId: RunId): Promise<{T}Run>;\n  cancel(ownerId: string, runId: RunId): Promise<void>;\n}",
    },
    Stack {
        language: "Python 3.12",
        dependencies: "FastAPI 0.111, SQLAlchemy 2, Alembic, Pydantic 2, Celery 5",
        storage: "PostgreSQL 16 through SQLAlchemy; Redis 7 as the Celery broker",
        testing: "pytest, pytest-asyncio, Hypothesis, Playwright for the web client",
        platform: "Linux containers on AWS ECS; the React client in evergreen browsers",
        queue: "Celery",
        validation: "Pydantic models in `backend/app/schemas`",
        code: "backend/app/{m}/{f}.py",
        test: "backend/tests/{m}/test_{f}.py",
        web: "frontend/src/features/{m}/{f}.tsx",
        source_tree: "backend/\n├── app/\n│   ├── {m}/\n│   ├── schemas/\n│   └── main.py\n├── alembic/versions/\n└── tests/{m}/\nfrontend/\n└── src/features/{m}/",
        interface: "class {T}Service(Protocol):\n    def start(self, owner_id: UUID, data: {T}Input) -> RunId: ...\n    def status(self, owner_id: UUID, run_id: RunId) -> {T}Run: ...\n    def cancel(self, owner_id: UUID, run_id: RunId) -> None: ...",
    },
    Stack {
        language: "Go 1.22",
        dependencies: "chi v5, pgx v5, sqlc, River for background jobs, slog",
        storage: "PostgreSQL 16 through pgx and sqlc-generated queries",
        testing: "go test, testify, testcontainers-go for PostgreSQL",
        platform: "a single static binary in a distroless container on Linux",
        queue: "River",
        validation: "request structs validated in `internal/validate`",
        code: "internal/{m}/{f}.go",
        test: "internal/{m}/{f}_test.go",
        web: "web/src/{m}/{f}.tsx",
        source_tree: "cmd/\n└── server/main.go\ninternal/\n├── {m}/\n├── validate/\n└── store/\nweb/\n└── src/{m}/",
        interface: "type {T}Service interface {\n\tStart(ctx context.Context, ownerID uuid.UUID, in {T}Input) (RunID, error)\n\tStatus(ctx context.Context, ownerID uuid.UUID, id RunID) ({T}Run, error)\n\tCancel(ctx context.Context, ownerID uuid.UUID, id RunID) error\n}",
    },
    Stack {
        language: "Rust 1.80 (edition 2021)",
        dependencies: "axum 0.7, sqlx 0.8, tokio, serde, apalis for background jobs",
        storage: "PostgreSQL 16 through sqlx with compile-time checked queries",
        testing: "cargo test, insta snapshots, testcontainers for PostgreSQL",
        platform: "Linux containers on Fly.io; the web client in evergreen browsers",
        queue: "apalis",
        validation: "serde types with `validator` rules in `crates/core`",
        code: "crates/api/src/{m}/{f}.rs",
        test: "crates/api/tests/{m}_{f}.rs",
        web: "web/src/{m}/{f}.tsx",
        source_tree: "crates/\n├── api/\n│   ├── src/{m}/\n│   └── tests/\n├── core/\n│   └── src/\n└── worker/\n    └── src/\nweb/\n└── src/{m}/",
        interface: "pub trait {T}Service {\n    async fn start(&self, owner: OwnerId, input: {T}Input) -> Result<RunId>;\n    async fn status(&self, owner: OwnerId, run: RunId) -> Result<{T}Run>;\n    async fn cancel(&self, owner: OwnerId, run: RunId) -> Result<()>;\n}",
    },
];

struct Feature {
    index: usize,
    slug: String,
    title: String,
    /// Index of `entity` in [`ENTITIES`].
    entity_index: usize,
    entity: &'static Entity,
    kind: &'static Kind,
    /// The feature's code module, `invoice_export`.
    module: String,
    /// The module as a type name, `InvoiceExport`.
    type_name: String,
}

struct Kit {
    seed: u64,
    product: &'static str,
    stack: &'static Stack,
    features: Vec<Feature>,
    tasks: usize,
}

impl Kit {
    fn new(args: &Args) -> Kit {
        let layout_salt = match args.layout {
            Layout::Native => 0x6e61,
            Layout::Speckit => 0x736b,
            Layout::Kiro => 0x6b69,
            Layout::Openspec => 0x6f73,
        };
        let seed = args.seed ^ layout_salt;
        let mut rng = Rng::new(seed, 0);
        Kit {
            seed,
            product: rng.pick(PRODUCTS),
            stack: &STACKS[rng.below(STACKS.len())],
            features: plan_features(&mut rng, args.features as usize),
            tasks: args.tasks as usize,
        }
    }

    /// Text for one feature, from that feature's own stream.
    fn prose<'a>(&'a self, feature: &'a Feature) -> Prose<'a> {
        Prose::new(Rng::new(self.seed, feature.index as u64 + 1), self, feature)
    }

    /// Text for the project-wide files (their stream is past every feature's).
    fn project_prose(&self) -> Prose<'_> {
        Prose::new(Rng::new(self.seed, u64::MAX), self, &self.features[0])
    }
}

impl Feature {
    fn new(
        index: usize,
        slug: String,
        title: &str,
        entity_index: usize,
        kind: &'static Kind,
    ) -> Feature {
        let entity = &ENTITIES[entity_index];
        let module = format!("{}_{}", entity.one, kind.slug).replace([' ', '-'], "_");
        Feature {
            index,
            slug,
            title: capitalize(title),
            entity_index,
            entity,
            kind,
            type_name: module.split('_').map(capitalize).collect(),
            module,
        }
    }
}

/// Unique feature names: an entity and a kind, with a qualifier when needed.
fn plan_features(rng: &mut Rng, count: usize) -> Vec<Feature> {
    let mut taken = HashSet::new();
    let mut features = Vec::with_capacity(count);
    for index in 0..count {
        let mut attempt = 0;
        loop {
            let entity_index = rng.below(ENTITIES.len());
            let entity = &ENTITIES[entity_index];
            let kind = &KINDS[rng.below(KINDS.len())];
            let qualifier = (attempt > 3 || rng.chance(25)).then(|| rng.pick(QUALIFIERS));
            let base = format!("{} {}", entity.one, kind.slug).replace(' ', "-");
            let mut slug = match qualifier {
                Some(qualifier) => format!("{qualifier}-{base}"),
                None => base,
            };
            if attempt > 40 {
                slug = format!("{slug}-{}", index + 1);
            }
            if taken.insert(slug.clone()) {
                let title = match qualifier {
                    Some(qualifier) => format!("{qualifier} {} {}", entity.one, kind.noun),
                    None => format!("{} {}", entity.one, kind.noun),
                };
                features.push(Feature::new(index, slug, &title, entity_index, kind));
                break;
            }
            attempt += 1;
        }
    }
    features
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Todo,
    InProgress,
    Done,
    Blocked,
}

impl Status {
    /// A checklist box; `done` is `x` or `X`, as the kit writes it.
    fn checkbox(self, done: char) -> String {
        match self {
            Status::Done => format!("[{done}]"),
            Status::InProgress => "[-]".to_owned(),
            Status::Todo | Status::Blocked => "[ ]".to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------
// Prose: sentences from templates

const ROLES: &[&str] = &[
    "admin",
    "account owner",
    "support agent",
    "billing manager",
    "team member",
    "workspace owner",
    "auditor",
    "sales rep",
    "operations lead",
    "guest",
];

const CONTEXTS: &[&str] = &[
    "from the list view",
    "in one step",
    "without leaving the page",
    "across every workspace I belong to",
    "on my phone",
    "while an import is still running",
    "for a date range I choose",
    "straight from the email I received",
    "without asking an admin",
    "before the end of the month",
];

const BENEFITS: &[&str] = &[
    "I do not have to copy them by hand",
    "the finance team can close the month on time",
    "nothing is lost when a colleague is away",
    "I can answer a customer while they are still on the call",
    "mistakes are caught before anyone else sees them",
    "I can show later who changed what",
    "the numbers match what the accountant sees",
    "I can hand the work over at the end of my shift",
    "I stop keeping a spreadsheet on the side",
    "customers get the same answer from everyone on the team",
    "I notice problems before customers do",
    "I spend less time on routine work",
];

const INTEGRATIONS: &[&str] = &[
    "S3-compatible object storage",
    "the email provider (Postmark)",
    "the accounting system's REST API",
    "Slack incoming webhooks",
    "the existing search index",
    "none beyond the database",
];

const COUNTS: &[usize] = &[
    3, 5, 10, 20, 25, 50, 100, 200, 500, 1_000, 5_000, 10_000, 50_000,
];
const PERCENTS: &[usize] = &[30, 40, 50, 60, 70, 80, 90, 95];
/// How long something takes: `{duration}`.
const DURATIONS: &[&str] = &[
    "2 seconds",
    "5 seconds",
    "10 seconds",
    "30 seconds",
    "1 minute",
    "5 minutes",
    "15 minutes",
];
/// How long something is kept: `{retention}`.
const RETENTIONS: &[&str] = &["7 days", "30 days", "90 days", "6 months", "1 year"];
/// The most one run may touch: `{limit}`, the same all through a feature.
const LIMITS: &[usize] = &[100, 200, 500, 1_000, 5_000, 10_000];
const FIELDS: &[&str] = &[
    "status",
    "due_date",
    "owner_id",
    "total_cents",
    "currency",
    "reference",
    "notes",
    "created_at",
    "updated_at",
    "external_id",
    "archived_at",
    "tags",
];
const FILES: &[&str] = &[
    "service",
    "repository",
    "routes",
    "schema",
    "worker",
    "client",
    "handlers",
    "models",
    "policy",
    "metrics",
];
const METHODS: &[&str] = &["POST", "PUT", "PATCH"];
const PEOPLE: &[&str] = &[
    "dana",
    "sam",
    "priya",
    "lee",
    "marta",
    "jonas",
    "ana",
    "tom",
    "claude-code",
    "cursor",
];

/// Trailing clauses that stretch a sentence, so item lengths vary.
const TAILS: &[&str] = &[
    ", even for workspaces with {count} {many}",
    " within {duration}",
    ", and the same request retried gives the same result",
    ", including {many} created before this release",
    " on desktop and in mobile browsers",
    ", and the audit log records who did it and when",
];

/// Writes sentences for one feature from templates: `{token}`s are filled
/// from the feature and the stack, a capitalised token (`{One}`) gives a
/// capitalised value, and anything else in braces is kept as written.
struct Prose<'a> {
    rng: Rng,
    kit: &'a Kit,
    feature: &'a Feature,
    /// Task titles used so far from each of the early, middle and late
    /// pools, so a feature's titles repeat only once a pool runs out.
    titles_used: [usize; 3],
    titles_offset: usize,
}

impl Prose<'_> {
    fn new<'a>(mut rng: Rng, kit: &'a Kit, feature: &'a Feature) -> Prose<'a> {
        let titles_offset = rng.below(100);
        Prose {
            rng,
            kit,
            feature,
            titles_used: [0; 3],
            titles_offset,
        }
    }

    fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 48);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let name = after.find('}').map(|close| &after[..close]).filter(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
            if let Some((name, value)) = name.and_then(|name| Some((name, self.token(name)?))) {
                out.push_str(&value);
                rest = &after[name.len() + 1..];
            } else {
                out.push('{');
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }

    fn token(&mut self, name: &str) -> Option<String> {
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            return self
                .token(&name.to_ascii_lowercase())
                .map(|value| capitalize(&value));
        }
        let feature = self.feature;
        let stack = self.kit.stack;
        let value = match name {
            "role" => self.rng.pick(ROLES).to_owned(),
            "a_role" => with_article(self.rng.pick(ROLES)),
            "one" => feature.entity.one.to_owned(),
            "a_one" => with_article(feature.entity.one),
            "many" => feature.entity.many.to_owned(),
            "noun" => feature.kind.noun.to_owned(),
            "action" => feature.kind.action.replace("{}", feature.entity.many),
            "title" => feature.title.clone(),
            "module" => feature.module.clone(),
            "type" => feature.type_name.clone(),
            "table" => feature.entity.many.replace(' ', "_"),
            "many_slug" => feature.entity.many.replace(' ', "-"),
            "kind_slug" => feature.kind.slug.to_owned(),
            "product" => self.kit.product.to_owned(),
            "queue" => stack.queue.to_owned(),
            "validation" => stack.validation.to_owned(),
            "count" => thousands(self.rng.pick(COUNTS)),
            "pct" => self.rng.pick(PERCENTS).to_string(),
            "duration" => self.rng.pick(DURATIONS).to_owned(),
            "retention" => self.rng.pick(RETENTIONS).to_owned(),
            "limit" => thousands(LIMITS[(feature.index * 7 + feature.slug.len()) % LIMITS.len()]),
            "field" => self.rng.pick(FIELDS).to_owned(),
            "path" => self.code_path(stack.code),
            "test_path" => self.code_path(stack.test),
            "web_path" => self.code_path(stack.web),
            "endpoint" => format!(
                "`{} /api/{}/{}`",
                self.rng.pick(METHODS),
                feature.entity.many.replace(' ', "-"),
                feature.kind.slug
            ),
            "person" => self.rng.pick(PEOPLE).to_owned(),
            "benefit" => self.rng.pick(BENEFITS).to_owned(),
            "context" => self.rng.pick(CONTEXTS).to_owned(),
            "integration" => self.rng.pick(INTEGRATIONS).to_owned(),
            _ => return None,
        };
        Some(value)
    }

    fn code_path(&mut self, pattern: &str) -> String {
        let file = self.rng.pick(FILES);
        pattern
            .replace("{m}", &self.feature.module)
            .replace("{f}", file)
    }

    /// One template of `pool`, filled and capitalised.
    fn sentence(&mut self, pool: &[&str]) -> String {
        let template = self.rng.pick(pool);
        capitalize(&self.fill(template))
    }

    /// Between `low` and `high` distinct sentences of `pool`.
    fn sentences(&mut self, pool: &[&str], low: usize, high: usize) -> Vec<String> {
        self.stretched(pool, low, high, 0)
    }

    /// Like [`Prose::sentences`], with `percent` of them stretched by a
    /// tail: criteria are the items whose length varies most in real kits.
    fn stretched(&mut self, pool: &[&str], low: usize, high: usize, percent: u64) -> Vec<String> {
        let count = self.rng.range(low, high.min(pool.len()));
        let mut out = Vec::with_capacity(count);
        for index in self.rng.distinct(pool.len(), count) {
            let mut sentence = capitalize(&self.fill(pool[index]));
            if self.rng.chance(percent) && sentence.ends_with('.') {
                let tail = self.rng.pick(TAILS);
                let tail = self.fill(tail);
                sentence.insert_str(sentence.len() - 1, &tail);
            }
            out.push(sentence);
        }
        out
    }

    /// Acceptance criteria as bullets, some stretched by a tail.
    fn criteria(
        &mut self,
        w: &mut dyn Write,
        pool: &[&str],
        low: usize,
        high: usize,
    ) -> io::Result<()> {
        for sentence in self.stretched(pool, low, high, 30) {
            writeln!(w, "- {sentence}")?;
        }
        Ok(())
    }

    fn paragraph(&mut self, pool: &[&str], low: usize, high: usize) -> String {
        self.sentences(pool, low, high).join(" ")
    }

    fn bullets(
        &mut self,
        w: &mut dyn Write,
        pool: &[&str],
        low: usize,
        high: usize,
    ) -> io::Result<()> {
        for sentence in self.sentences(pool, low, high) {
            writeln!(w, "- {sentence}")?;
        }
        Ok(())
    }

    fn numbered(
        &mut self,
        w: &mut dyn Write,
        pool: &[&str],
        low: usize,
        high: usize,
    ) -> io::Result<()> {
        for (number, sentence) in self.sentences(pool, low, high).into_iter().enumerate() {
            writeln!(w, "{}. {sentence}", number + 1)?;
        }
        Ok(())
    }

    /// A date in the kit's life, `days` after it began.
    fn date(&self, days: usize) -> String {
        date(days + self.feature.index)
    }

    /// How far along each of the feature's tasks is: the first features of
    /// the kit are mostly done, the middle ones half-way with a task
    /// started, the last ones barely begun.
    fn statuses(&mut self, tasks: usize) -> Vec<Status> {
        let count = self.kit.features.len();
        let position = if count == 1 {
            50
        } else {
            self.feature.index * 100 / (count - 1)
        };
        let done_percent = match position {
            0..=44 if self.rng.chance(85) => 100,
            0..=44 => self.rng.range(70, 95),
            45..=74 => self.rng.range(20, 90),
            _ if self.rng.chance(70) => 0,
            _ => self.rng.range(0, 30),
        };
        let done = tasks * done_percent / 100;
        let mut statuses = vec![Status::Todo; tasks];
        for status in &mut statuses[..done] {
            *status = Status::Done;
        }
        if done < tasks && (done_percent > 0 || self.rng.chance(30)) && self.rng.chance(75) {
            // Work started usually on the next task, sometimes on the one
            // after it while the next still waits: rule 4 of §7 then picks
            // a task past an open one.
            let started = if done + 1 < tasks && self.rng.chance(25) {
                done + 1
            } else {
                done
            };
            statuses[started] = Status::InProgress;
        }
        for status in &mut statuses[done..] {
            if *status == Status::Todo && self.rng.chance(3) {
                *status = Status::Blocked;
            }
        }
        statuses
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn with_article(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

fn thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `YYYY-MM-DD`, `days` after 2025-09-01.
fn date(days: usize) -> String {
    const MONTHS: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut year, mut month, mut day) = (2025, 8, days + 1);
    loop {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let length = MONTHS[month] + usize::from(month == 1 && leap);
        if day <= length {
            return format!("{year}-{:02}-{day:02}", month + 1);
        }
        day -= length;
        month += 1;
        if month == 12 {
            month = 0;
            year += 1;
        }
    }
}

fn roman(number: usize) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][number.min(9)]
}

// ---------------------------------------------------------------------------
// Templates shared by the layouts

const WORK_EARLY: &[&str] = &[
    "Add the `{table}` migration and model changes",
    "Define the {noun} request and response schemas",
    "Create the `{module}` module skeleton",
    "Add configuration and the `{module}` feature flag",
    "Add the `{module}_runs` table with `owner_id` indexes",
];

const WORK_MIDDLE: &[&str] = &[
    "Implement the {noun} service",
    "Expose the {noun} endpoints",
    "Add the background job that runs {noun} on {queue}",
    "Build the {noun} panel in the {many} list view",
    "Enforce ownership checks on {noun} requests",
    "Handle partial failures in {noun}",
    "Add paging and sorting to {noun} results",
    "Send the email that tells the {role} a run finished",
    "Validate `{field}` before {noun} writes anything",
    "Show progress and errors while {noun} runs",
];

const WORK_LATE: &[&str] = &[
    "Write integration tests for {noun} against a real database",
    "Emit metrics and structured logs for {noun}",
    "Document {noun} in the API reference",
    "Load-test {noun} with {count} {many}",
    "Add end-to-end tests for the {noun} flow",
    "Remove the `{module}` feature flag after the rollout",
];

const WORK_VARIANTS: &[&str] = &[
    "for archived {many}",
    "for the `{field}` column",
    "on mobile browsers",
    "for large workspaces",
    "for guests",
    "(second pass)",
];

const DEFINITION_OF_DONE: &[&str] = &[
    "Code is merged to `main` through a reviewed pull request with CI green (lint, typecheck, unit and integration tests).",
    "New or changed behaviour is covered by tests; integration tests run against a real database.",
    "Acceptance criteria of the feature and of the task are checked by the author and the reviewer.",
    "New endpoints, jobs and error codes are documented in the same pull request.",
    "Logs and metrics named in the spec are visible on the staging dashboard.",
    "The change has been deployed to staging and smoke-tested with the demo account.",
    "No new warnings from the linter or the type checker.",
];

const ACCEPTANCE: &[&str] = &[
    "{A_role} can {action} from the {many} list in at most three clicks.",
    "{Noun} of {count} {many} completes in under {duration}.",
    "{A_role} without access to {a_one} gets 404, not 403, so ids cannot be probed.",
    "Every change made through {noun} appears in the audit log with the user's name and the time.",
    "When {noun} fails half-way, no {one} is left half-updated and the {role} sees which ones failed.",
    "The `{field}` value shown after {noun} survives a page reload.",
    "A request over the limit of {limit} {many} is refused before anything is written, with the message \"At most {limit} {many} at a time.\"",
    "{Noun} works the same in mobile Safari and Chrome on Android.",
    "Running {noun} twice on the same {many} changes nothing the second time.",
    "{A_role} on the free plan sees the limit before starting, not after.",
];

const TASK_ACCEPTANCE: &[&str] = &[
    "`{path}` has unit tests for each error code it returns.",
    "The migration applies cleanly on an empty database and on a copy of staging.",
    "Running the job twice on the same input gives the same result.",
    "{Endpoint} returns 422 naming the field when `{field}` is missing.",
    "{Endpoint} returns 404 for another workspace's {one}.",
    "The new code path is behind the `{module}` flag and off by default.",
    "Metrics `{module}_runs_total` and `{module}_run_duration_seconds` show up on the staging dashboard.",
    "The panel shows an empty state when there are no {many}.",
    "Errors from the upstream API are retried once, then reported with `upstream_unavailable`.",
];

const TEST_PLAN: &[&str] = &[
    "Unit tests for the service in `{test_path}`.",
    "Integration test against a real database: start a run, wait for it, read the results back as the owner and as another user.",
    "Playwright test: {action}, reload, and check the result.",
    "Manual check in mobile Safari with {count} {many}.",
    "Load test with {count} {many} on staging; p95 stays under {duration}.",
    "Property test: any list of {many} gives the same result when {noun} runs twice.",
    "Run the migration test suite against a fresh database container.",
];

const TASK_NOTES: &[&str] = &[
    "Implement this in `{path}` and keep the handler in `{path}` thin.",
    "Follow the existing {many} module for naming and error codes.",
    "The job must be idempotent, since {queue} retries it after a crash.",
    "Reuse the shared {validation}; do not add a second schema.",
    "Keep the limit of {limit} {many} in one constant so the UI and the API agree.",
    "Everything new stays behind the `{module}` flag until the rollout.",
    "Talk to the {role}s in the beta group before changing the wording.",
    "The query must use the `owner_id` index; check the plan on a staging copy.",
];

/// Questions with the answer they get once someone decides.
const QUESTIONS: &[(&str, &str)] = &[
    (
        "Should {noun} include archived {many}?",
        "No, only active ones; archived {many} stay out.",
    ),
    (
        "What is the largest number of {many} one run may touch?",
        "{limit}; larger runs are split by the job.",
    ),
    (
        "Do {role}s on the free plan get {noun}?",
        "Yes, with a limit of {limit} {many} per month.",
    ),
    (
        "Should the `{field}` column stay editable after {noun} has run?",
        "Yes, and the edit is recorded in the audit log like any other.",
    ),
    (
        "How long do we keep the results of a {noun} run?",
        "Keep them for {retention}, then delete them.",
    ),
    (
        "Which time zone do dates in {noun} use?",
        "The workspace's time zone, shown next to every date.",
    ),
    (
        "Should {noun} notify the {role} by email or only in the app?",
        "In the app only for now; email follows with the notification settings.",
    ),
    (
        "Do we need an undo for {noun}, or is the audit log enough?",
        "The audit log is enough for the first release.",
    ),
];

const EVENTS: &[&str] = &[
    "{a_role} submits the {noun} form",
    "{a_role} opens the {many} list",
    "{a_role} selects {count} {many} and confirms",
    "{a_role} retries a failed request",
    "{a_role} changes the `{field}` of {a_one}",
    "the nightly job runs",
    "{a_role} reloads the page during a run",
    "{a_role} starts {noun} for {count} {many}",
];

const PRECONDITIONS: &[&str] = &[
    "{a_role} with {count} {many}",
    "a workspace on the free plan",
    "{a_one} that another user is editing",
    "{a_one} archived more than {retention} ago",
    "a list filtered by `{field}`",
    "a workspace with no {many} yet",
    "a run of {noun} that failed half-way",
    "{a_role} without access to the workspace",
];

/// What the system does, in the base form (`THE system SHALL ...`).
const RESPONSES: &[&str] = &[
    "record the change in the audit log with the user's name",
    "show a confirmation naming the {many} affected",
    "reject the request with an error naming the field",
    "finish within {duration}",
    "keep the existing {many} unchanged",
    "send one notification per {one}",
    "store the result in the user's workspace",
    "return the first {count} {many}, newest first",
    "mark the run `failed`, listing the {many} it skipped",
    "hide {many} the user may not see",
    "refuse the run before it starts when it would touch more than {limit} {many}",
];

const OUTCOMES: &[&str] = &[
    "{Noun} of {count} {many} finishes in under {duration} at p95.",
    "At least {pct}% of active workspaces use {noun} within a month of the release.",
    "Support tickets about {many} drop by {pct}% within a quarter.",
    "Fewer than 1% of {noun} requests end in an error that is not a validation error.",
    "{A_role} completes {noun} without help in their first session.",
    "{Pct}% of runs over {count} {many} finish without a retry.",
];

/// `phrase` with its first verb in the third person: `show` gives `shows`.
fn third_person(phrase: &str) -> String {
    let (verb, rest) = phrase.split_once(' ').unwrap_or((phrase, ""));
    let verb = if verb.ends_with("sh") || verb.ends_with("ch") || verb.ends_with('s') {
        format!("{verb}es")
    } else {
        format!("{verb}s")
    };
    if rest.is_empty() {
        verb
    } else {
        format!("{verb} {rest}")
    }
}

impl Prose<'_> {
    /// A task title for the `number`th of `total` tasks: setup first,
    /// building in the middle, tests and polish last.
    fn work_title(&mut self, number: usize, total: usize) -> String {
        let stage = match number * 10 / total.max(1) {
            0 | 1 => 0,
            2..=7 => 1,
            _ => 2,
        };
        let pool = [WORK_EARLY, WORK_MIDDLE, WORK_LATE][stage];
        let used = self.titles_used[stage];
        self.titles_used[stage] += 1;
        let mut title = capitalize(&self.fill(pool[(used + self.titles_offset) % pool.len()]));
        let round = used / pool.len();
        if round > 0 || self.rng.chance(15) {
            let variant = WORK_VARIANTS[(round + self.titles_offset) % WORK_VARIANTS.len()];
            title = format!("{title} {}", self.fill(variant));
        }
        title
    }

    fn response(&mut self) -> String {
        let response = self.rng.pick(RESPONSES);
        self.fill(response)
    }

    fn event(&mut self) -> String {
        let event = self.rng.pick(EVENTS);
        self.fill(event)
    }

    fn precondition(&mut self) -> String {
        let precondition = self.rng.pick(PRECONDITIONS);
        self.fill(precondition)
    }

    fn question(&mut self) -> String {
        self.question_and_answer().0
    }

    fn question_and_answer(&mut self) -> (String, String) {
        self.questions(1).remove(0)
    }

    /// `count` different questions, each with its answer.
    fn questions(&mut self, count: usize) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(count);
        for index in self.rng.distinct(QUESTIONS.len(), count) {
            let (question, answer) = QUESTIONS[index];
            out.push((
                capitalize(&self.fill(question)),
                capitalize(&self.fill(answer)),
            ));
        }
        out
    }

    fn story(&mut self) -> String {
        self.fill("As {a_role}, I want to {action} {context}, so that {benefit}.")
    }
}

// ---------------------------------------------------------------------------
// Native layout: specs/project.md, specs/<feature>/{prd,tech-spec,tasks}.md

const PROJECT_CONSTRAINTS: &[&str] = &[
    "All HTTP APIs live under `/api`, accept and return JSON, and validate input with the shared {validation}.",
    "Every table carrying user data has an `owner_id` column, and every query filters on it.",
    "Background work runs on {queue}; no other broker is added without an ADR.",
    "Schema changes go through numbered migrations, never ad-hoc DDL.",
    "Calls to third-party APIs go through a client with a timeout and a retry budget; no direct calls from route handlers.",
    "Binary files live in object storage; the database stores object keys, never file bytes.",
    "Feature flags are read once per request from the flags table and never cached for longer than 30 seconds.",
    "Times are stored in UTC and shown in the workspace's time zone.",
];

const PROJECT_OUT_OF_SCOPE: &[&str] = &[
    "Native mobile apps; the web app must work in mobile browsers.",
    "Team accounts and shared workspaces beyond one owner per account.",
    "Payments, billing and usage-based pricing.",
    "A public API for partners; every endpoint is for the web app only.",
    "Localisation beyond English.",
];

const OVERVIEW: &[&str] = &[
    "Today {many} are handled by hand: {a_role} copies them between tools and loses track of what changed.",
    "{Title} lets {a_role} {action} {context}.",
    "The first release targets workspaces with up to {count} {many}; larger accounts follow once the job queue has been load-tested.",
    "Support tickets about {many} are one of the largest categories this quarter, and most of them ask for exactly this.",
    "The work reuses the existing {table} table and the {queue} queue; it adds no new service.",
    "Success is measured on the staging dashboard two weeks after the release.",
    "Customers who churned last quarter named {many} as a reason in the exit survey more than once.",
];

const GOALS: &[&str] = &[
    "Make it possible to {action} {context}.",
    "Keep {noun} predictable: the same input always gives the same result.",
    "Cut the time {a_role} spends on {many} each week by half.",
    "Give {a_role} a clear record of what {noun} changed.",
    "Work on a phone as well as on a desktop.",
];

const NON_GOALS: &[&str] = &[
    "Real-time collaboration on the same {one}.",
    "{Noun} for {many} of other workspaces.",
    "A public API for {noun}; the first release is UI only.",
    "Custom formats beyond CSV and JSON.",
    "Undo for changes older than {retention}.",
];

const PRD_REQUIREMENTS: &[&str] = &[
    "{Noun} accepts at most {limit} {many} per request and says so before it starts.",
    "Only {a_role} or an admin of the workspace can run {noun}.",
    "Every run is recorded with who started it, when, and how many {many} it touched.",
    "The `{field}` of each {one} is validated with the shared {validation} before anything is written.",
    "Runs over {count} {many} go to the {queue} queue instead of running in the request.",
    "The feature is behind the `{module}` flag until the rollout is complete.",
    "Results of a run are kept for {retention} and then deleted.",
    "Dates are shown in the workspace's time zone.",
];

const OUT_OF_SCOPE: &[&str] = &[
    "{Noun} across workspaces.",
    "Running {noun} automatically on a schedule; planned after this release.",
    "Importing {many} from other products.",
    "Offline support in the mobile app.",
    "Per-field permissions on {many}.",
];

const RISKS: &[&str] = &[
    "Workspaces with more than {count} {many} may hit the request timeout; mitigated by moving big runs to the {queue} queue.",
    "The accounting system rate-limits us to {count} requests per minute, so bulk runs must back off.",
    "Users may expect {noun} to include archived {many}; the UI must say that it does not.",
    "A slow migration on the `{table}` table could lock writes; it must run in batches.",
];

fn write_native(kit: &Kit, out: &mut Output) -> Result<()> {
    let mut prose = kit.project_prose();
    out.file("specs/project.md", |w| native_project(w, &mut prose))?;
    for feature in &kit.features {
        let mut prose = kit.prose(feature);
        let statuses = prose.statuses(kit.tasks);
        let dir = format!("specs/{}", feature.slug);
        let all_done = statuses.iter().all(|status| *status == Status::Done);
        let asked = prose.rng.range(1, 4);
        out.file(&format!("{dir}/prd.md"), |w| {
            native_prd_head(w, &mut prose)?;
            native_prd_tail(w, &mut prose, asked, all_done)
        })?;
        out.file(&format!("{dir}/tech-spec.md"), |w| {
            native_tech_spec(w, &mut prose, asked)
        })?;
        out.file(&format!("{dir}/tasks.md"), |w| {
            native_tasks(w, &mut prose, &statuses)
        })?;
    }
    Ok(())
}

fn native_project(w: &mut dyn Write, p: &mut Prose) -> io::Result<()> {
    let stack = p.kit.stack;
    writeln!(w, "# {}\n", p.kit.product)?;
    writeln!(
        w,
        "{} is a web app for small businesses. These rules apply to every feature under `specs/`.\n",
        p.kit.product
    )?;
    writeln!(w, "## Architecture constraints")?;
    writeln!(
        w,
        "- Language: {}; main libraries: {}.",
        stack.language, stack.dependencies
    )?;
    writeln!(w, "- Storage: {}.", stack.storage)?;
    p.bullets(w, PROJECT_CONSTRAINTS, 4, 7)?;
    writeln!(w, "\n## Definition of Done")?;
    p.bullets(w, DEFINITION_OF_DONE, 5, 7)?;
    writeln!(w, "\n## Out of scope")?;
    p.bullets(w, PROJECT_OUT_OF_SCOPE, 3, 5)
}

fn native_prd_head(w: &mut dyn Write, p: &mut Prose) -> io::Result<()> {
    writeln!(w, "# {}\n", p.feature.title)?;
    writeln!(w, "## Overview")?;
    let overview = p.paragraph(OVERVIEW, 3, 5);
    writeln!(w, "{overview}\n")?;
    writeln!(w, "## Outcomes")?;
    p.bullets(w, OUTCOMES, 3, 4)?;
    writeln!(w, "\n## Surface area")?;
    let lines = [
        "- **Screens:** {Many} list (`/{many_slug}`), {noun} panel, settings page for {noun}.",
        "- **Primary actions:** {action}; undo the last change; retry a failed run.",
        "- **Roles:** {role} (full access); {role} (read-only).",
        "- **System objects:** {One}, {noun} run, audit entry.",
        "- **Integrations:** {integration}.",
    ];
    for line in lines {
        let line = p.fill(line);
        writeln!(w, "{line}")?;
    }
    writeln!(w, "\n## Goals")?;
    p.bullets(w, GOALS, 2, 4)?;
    writeln!(w, "\n## Non-goals")?;
    p.bullets(w, NON_GOALS, 2, 3)?;
    writeln!(w, "\n## User stories")?;
    for _ in 0..p.rng.range(3, 6) {
        let story = p.story();
        writeln!(w, "- {story}")?;
    }
    Ok(())
}

fn native_prd_tail(
    w: &mut dyn Write,
    p: &mut Prose,
    asked: usize,
    all_done: bool,
) -> io::Result<()> {
    writeln!(w, "\n## Requirements")?;
    p.bullets(w, PRD_REQUIREMENTS, 4, 7)?;
    writeln!(w, "\n## Acceptance criteria")?;
    p.criteria(w, ACCEPTANCE, 4, 7)?;
    writeln!(w, "\n## Out of scope")?;
    p.bullets(w, OUT_OF_SCOPE, 2, 4)?;
    writeln!(w, "\n## Risks")?;
    p.bullets(w, RISKS, 2, 3)?;
    writeln!(w, "\n## Open questions")?;
    for (number, pair) in p.questions(asked).into_iter().enumerate() {
        native_question(w, p, number + 1, pair, all_done)?;
    }
    Ok(())
}

/// `- [x] Q-1 (date, asked by sam): ... → A: ...`, or open and linked to a task.
fn native_question(
    w: &mut dyn Write,
    p: &mut Prose,
    number: usize,
    (question, answer): (String, String),
    all_done: bool,
) -> io::Result<()> {
    let day = p.rng.range(0, 60);
    let when = p.date(day);
    let who = p.rng.pick(PEOPLE);
    if all_done || p.rng.chance(40) {
        if p.rng.chance(60) {
            writeln!(
                w,
                "- [x] Q-{number} ({when}, asked by {who}): {question} → A: {answer}"
            )
        } else {
            writeln!(
                w,
                "- [x] Q-{number} ({when}, asked by {who}): {question}\n  - A: {answer}"
            )
        }
    } else {
        let task = p.rng.range(1, p.kit.tasks);
        writeln!(
            w,
            "- [ ] Q-{number} ({when}, task T{task}, asked by {who}): {question}"
        )
    }
}

const TECH_SECTIONS: &[(&str, &[&str])] = &[
    (
        "Architecture",
        &[
            "The web app calls {endpoint}; the API validates the request with the shared {validation} and writes in one transaction.",
            "Runs over {count} {many} are enqueued on {queue} as `{module}.run` jobs; smaller ones run inside the request.",
            "The `{module}` module owns the logic; handlers in `{path}` stay thin and only map requests to service calls.",
            "The UI polls the run status every 2 seconds until it is `done` or `failed`; no websockets.",
            "Reads go to the primary database; the replica lags by up to {duration} and is not used for {noun}.",
            "{Noun} never calls the accounting system from a request handler; the worker does, through the client in `{path}`.",
            "A run works on a snapshot of the ids it was started with; {many} created during the run wait for the next one.",
        ],
    ),
    (
        "Data ownership",
        &[
            "The `{table}` table is owned by the {many} module; {noun} reads it and never writes columns other than `{field}`.",
            "A new `{module}_runs` table (id, owner_id, status, started_at, finished_at, error_code) is owned by this feature.",
            "Every row carries `owner_id`, and every query filters on it.",
            "Results older than {retention} are deleted by the cleanup job.",
            "Soft-deleted {many} keep their row with `archived_at` set; {noun} skips them unless asked to include them.",
            "Foreign keys from `{module}_runs` to `{table}` are `ON DELETE SET NULL`, so deleting {a_one} never deletes history.",
        ],
    ),
    (
        "Auth rules",
        &[
            "Every endpoint requires a signed-in session; anonymous requests get 401.",
            "Only {a_role} or a workspace admin may start a run; others get 403.",
            "Ids of another workspace's {many} return 404, not 403, so they cannot be probed.",
            "Service tokens used by the worker are scoped to one workspace and expire after 15 minutes.",
            "Guests may read results of a run they were shown, never start one.",
            "Every write checks the session's workspace against the `owner_id` of each {one}, not only of the first one.",
        ],
    ),
    (
        "Endpoints",
        &[
            "{Endpoint} starts a run and returns 202 with its id.",
            "`GET /api/{many_slug}/{kind_slug}/{id}` returns the run's status, counts and error codes.",
            "`DELETE /api/{many_slug}/{kind_slug}/{id}` cancels a queued run; a running one finishes its current batch first.",
            "List endpoints page with `?cursor=` and return at most {count} items.",
            "Requests carry an `Idempotency-Key` header; a repeated key within 24 hours returns the first answer.",
        ],
    ),
    (
        "Async jobs",
        &[
            "`{module}.run`: one job per run, concurrency 4, timeout {duration}, 3 retries with backoff.",
            "`{module}.cleanup`: daily at 03:00 UTC, deletes results older than {retention}.",
            "Jobs are idempotent: a retried job skips {many} it has already processed.",
            "A run is split into batches of {count} {many}; each batch commits on its own and records its progress.",
            "A job that finds its run cancelled stops after the current batch and marks the run `cancelled`.",
        ],
    ),
    (
        "Error handling",
        &[
            "Validation failures return 422 with `{ \"error\": { \"code\", \"message\", \"field\" } }`.",
            "Partial failures mark the run `failed` with `partial_failure` and list the {many} that were not processed.",
            "Upstream timeouts are retried once after {duration}; after that the run fails with `upstream_unavailable`.",
            "Unexpected errors return 500 with a request id and are reported to the error tracker.",
        ],
    ),
    (
        "Logs and metrics",
        &[
            "Log one structured line per run with `run_id`, `owner_id`, `count`, `duration_ms` and `result`; never log {one} contents.",
            "Counter `{module}_runs_total{result}` with result `done`, `failed` or `cancelled`.",
            "Histogram `{module}_run_duration_seconds`; alert when p95 exceeds {duration} for 15 minutes.",
            "Gauge `{module}_queue_depth`; alert when it stays above {count} for 10 minutes.",
            "Trace spans cover the request, the enqueue and each batch, linked by the run id.",
        ],
    ),
    (
        "Deployment constraints",
        &[
            "The migration for `{module}_runs` deploys before the web release that calls the new endpoints.",
            "The `{module}` feature flag defaults to off in production.",
            "Worker instances need at least 512 MiB of memory for runs of {count} {many}.",
            "Migrations that touch `{table}` run in batches of {count} rows outside peak hours.",
            "The new job type is registered in the worker before the web release enqueues it.",
        ],
    ),
    (
        "Performance budget",
        &[
            "{Endpoint} answers in under 300 ms at p95 for workspaces with {count} {many}.",
            "A run touches at most {count} rows per transaction to keep lock times short.",
            "The {noun} panel renders in under 1 second on a mid-range phone.",
            "No query of {noun} scans `{table}` without the `owner_id` index.",
        ],
    ),
    (
        "Rollout",
        &[
            "Enable for internal workspaces first, then 10%, 50% and 100% of workspaces over two weeks.",
            "Roll back by turning the flag off; no data migration needs undoing.",
            "Support gets a short guide and the new error codes the day before the first step.",
        ],
    ),
];

const ALTERNATIVES: &[&str] = &[
    "Running every {noun} in the request: simpler, but large workspaces would time out.",
    "A separate {noun} service: more isolation than this needs, and one more thing to deploy.",
    "Websockets for progress: polling every few seconds is enough for runs this short.",
];

/// Sections of a technical document, each a list of constraints.
fn constraint_sections(
    w: &mut dyn Write,
    p: &mut Prose,
    sections: &[(&str, &[&str])],
    level: &str,
    (low, high): (usize, usize),
) -> io::Result<()> {
    let count = p.rng.range(low, high.min(sections.len()));
    let mut chosen = p.rng.distinct(sections.len(), count);
    chosen.sort_unstable();
    for index in chosen {
        let (heading, pool) = sections[index];
        writeln!(w, "\n{level} {heading}")?;
        p.bullets(w, pool, 3, 5)?;
    }
    Ok(())
}

fn native_tech_spec(w: &mut dyn Write, p: &mut Prose, asked: usize) -> io::Result<()> {
    writeln!(w, "# {}: technical spec", p.feature.title)?;
    constraint_sections(w, p, TECH_SECTIONS, "##", (6, 9))?;
    if p.rng.chance(30) {
        writeln!(w, "\n## Alternatives considered")?;
        p.bullets(w, ALTERNATIVES, 2, 3)?;
    }
    if p.rng.chance(30) {
        writeln!(w, "\n## Open questions")?;
        let when = p.date(70);
        let question = p.question();
        let task = p.rng.range(1, p.kit.tasks);
        writeln!(
            w,
            "- [ ] Q-{} ({when}, task T{task}, asked by claude-code): {question}",
            asked + 1
        )?;
    }
    Ok(())
}

fn native_tasks(w: &mut dyn Write, p: &mut Prose, statuses: &[Status]) -> io::Result<()> {
    writeln!(w, "# Tasks: {}", p.feature.title)?;
    let total = statuses.len();
    for (index, status) in statuses.iter().enumerate() {
        let number = index + 1;
        let title = p.work_title(index, total);
        writeln!(w, "\n## T{number}: {title}")?;
        let word = match status {
            Status::Todo => p.rng.pick(&["todo", "todo", "todo", "not started"]),
            Status::InProgress => p.rng.pick(&["in progress", "in progress", "in review"]),
            Status::Done => p.rng.pick(&["done", "done", "done", "complete"]),
            Status::Blocked => "blocked",
        };
        if p.rng.chance(15) {
            writeln!(w, "**Status:** {word}")?;
        } else {
            writeln!(w, "Status: {word}")?;
        }
        let depends = native_depends(p, statuses, index);
        writeln!(w, "Depends on: {depends}\n")?;
        let notes = p.paragraph(TASK_NOTES, 1, 3);
        writeln!(w, "{notes}")?;
        if *status == Status::Blocked {
            writeln!(
                w,
                "Waiting on the answer to the open question about limits."
            )?;
        }
        writeln!(w, "\n### Acceptance criteria")?;
        p.criteria(w, TASK_ACCEPTANCE, 1, 3)?;
        p.criteria(w, ACCEPTANCE, 1, 2)?;
        writeln!(w, "\n### Test plan")?;
        p.bullets(w, TEST_PLAN, 1, 3)?;
    }
    Ok(())
}

/// Earlier tasks this one depends on; a task already started depends only
/// on done ones, so the kit never contradicts itself.
fn native_depends(p: &mut Prose, statuses: &[Status], index: usize) -> String {
    if index == 0 || p.rng.chance(10) {
        return "none".to_owned();
    }
    let mut depends = vec![index];
    if index >= 2 && p.rng.chance(25) {
        depends.insert(0, index - 1);
    }
    if statuses[index] != Status::Todo && statuses[index] != Status::Blocked {
        depends.retain(|&number| statuses[number - 1] == Status::Done);
    }
    if depends.is_empty() {
        return "none".to_owned();
    }
    depends
        .iter()
        .map(|number| format!("T{number}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------
// spec-kit: .specify/memory/constitution.md, specs/NNN-name/{spec,plan,tasks}.md

const PRINCIPLES: &[(&str, &str, &[&str])] = &[
    (
        "Test-First (NON-NEGOTIABLE)",
        "Every change starts with a failing test that states the behaviour it adds.",
        &[
            "Tests are written and reviewed before the implementation they cover.",
            "Integration tests run against a real database, never a mock of it.",
            "A bug fix adds the test that would have caught it.",
        ],
    ),
    (
        "Simplicity",
        "Build the smallest thing that meets the spec; add structure when a second user of it appears.",
        &[
            "No new service, queue or datastore without a written reason in the plan.",
            "Prefer one module per concept over shared helpers.",
            "Delete code that no test and no user needs.",
        ],
    ),
    (
        "Observability",
        "Every background job and endpoint can be watched in production.",
        &[
            "Structured logs carry a request or run id on every line.",
            "Each job emits a counter by result and a duration histogram.",
            "Alerts page only for what a person must act on.",
        ],
    ),
    (
        "Security by Default",
        "Access is denied unless a rule grants it.",
        &[
            "Every query filters on `owner_id`; a missing filter is a release blocker.",
            "Another workspace's ids return 404, never 403.",
            "Secrets come from the environment and are never logged.",
        ],
    ),
    (
        "Backward-Compatible APIs",
        "A released endpoint keeps working for clients that have not updated.",
        &[
            "Fields are added, never renamed or removed, within a major version.",
            "Breaking changes ship behind a new path and a deprecation notice of 90 days.",
        ],
    ),
    (
        "Data Ownership",
        "Each table has one owning module, and only that module writes it.",
        &[
            "Other modules read through the owner's service, not its tables.",
            "Migrations are numbered, reviewed, and reversible where the data allows.",
        ],
    ),
    (
        "Accessibility",
        "The web client meets WCAG 2.1 AA.",
        &[
            "Every action works with a keyboard alone.",
            "Colour is never the only signal of a state.",
        ],
    ),
    (
        "Performance Budgets",
        "Pages and endpoints have budgets that CI checks.",
        &[
            "List endpoints answer in under 300 ms at p95 with 10,000 rows.",
            "The initial page load stays under 200 kB of compressed JavaScript.",
        ],
    ),
];

fn write_speckit(kit: &Kit, out: &mut Output) -> Result<()> {
    let mut prose = kit.project_prose();
    out.file(".specify/memory/constitution.md", |w| {
        speckit_constitution(w, &mut prose)
    })?;
    for feature in &kit.features {
        let mut prose = kit.prose(feature);
        let statuses = prose.statuses(kit.tasks);
        let dir = format!("specs/{:03}-{}", feature.index + 1, feature.slug);
        let stories = (kit.tasks / 5 + prose.rng.range(0, 2)).clamp(1, 6);
        let stories = story_titles(&mut prose, stories);
        let all_done = statuses.iter().all(|status| *status == Status::Done);
        out.file(&format!("{dir}/spec.md"), |w| {
            speckit_spec_stories(w, &mut prose, &dir, &stories)?;
            speckit_spec_requirements(w, &mut prose, all_done)
        })?;
        out.file(&format!("{dir}/plan.md"), |w| {
            speckit_plan(w, &mut prose, &dir)
        })?;
        if prose.rng.chance(60) {
            out.file(&format!("{dir}/research.md"), |w| {
                speckit_research(w, &mut prose)
            })?;
        }
        if prose.rng.chance(50) {
            out.file(&format!("{dir}/data-model.md"), |w| {
                speckit_data_model(w, &mut prose)
            })?;
        }
        let phases = speckit_phases(kit.tasks, &stories);
        out.file(&format!("{dir}/tasks.md"), |w| {
            speckit_tasks(w, &mut prose, &dir, &phases, &statuses)
        })?;
    }
    Ok(())
}

fn speckit_constitution(w: &mut dyn Write, p: &mut Prose) -> io::Result<()> {
    let count = p.rng.range(5, 7);
    writeln!(
        w,
        "<!--\nSync Impact Report:\n- Version change: 1.2.0 → 1.3.0\n- Modified principles: Observability (alerts)\n- Added sections: Definition of Done\n- Templates requiring updates: ✅ plan-template.md, ✅ tasks-template.md\n- Follow-up TODOs: none\n-->\n"
    )?;
    writeln!(w, "# {} Constitution\n", p.kit.product)?;
    writeln!(w, "## Core Principles")?;
    for (number, index) in p
        .rng
        .distinct(PRINCIPLES.len(), count)
        .into_iter()
        .enumerate()
    {
        let (name, statement, rules) = PRINCIPLES[index];
        writeln!(w, "\n### {}. {name}\n\n{statement}\n", roman(number))?;
        for rule in rules {
            writeln!(w, "- {rule}")?;
        }
        let benefit = p.rng.pick(BENEFITS);
        writeln!(
            w,
            "\n**Rationale**: Without this rule reviews turn into debates; with it {benefit}."
        )?;
    }
    let stack = p.kit.stack;
    writeln!(w, "\n## Additional Constraints\n")?;
    writeln!(w, "- Language: {}.", stack.language)?;
    writeln!(w, "- Libraries: {}.", stack.dependencies)?;
    writeln!(w, "- Storage: {}.", stack.storage)?;
    writeln!(w, "- Platform: {}.", stack.platform)?;
    writeln!(w, "\n## Development Workflow\n")?;
    writeln!(
        w,
        "- Work happens on a branch named after the feature folder, such as `001-{}`.",
        p.feature.slug
    )?;
    writeln!(
        w,
        "- Every pull request links the spec and the task ids it closes."
    )?;
    writeln!(w, "\n### Definition of Done\n")?;
    p.bullets(w, DEFINITION_OF_DONE, 4, 6)?;
    writeln!(w, "\n## Governance\n")?;
    writeln!(
        w,
        "This constitution supersedes other practices. Amendments need a pull request, the approval of two maintainers and a migration note for work in flight.\n"
    )?;
    writeln!(
        w,
        "**Version**: 1.3.0 | **Ratified**: 2025-06-02 | **Last Amended**: 2025-11-20"
    )
}

const STORY_TITLES: &[&str] = &[
    "Review {many} before {noun}",
    "Undo a {noun} run",
    "Handle {many} over the limit",
    "See the history of {noun} runs",
    "Configure {noun} for the workspace",
    "Get told when {noun} finishes",
    "Use {noun} on a phone",
];

const PRIORITY_REASONS: &[&str] = &[
    "This is the core of the feature; without it nothing else is useful.",
    "Most support tickets about {many} ask for exactly this.",
    "Needed for larger workspaces but not for the first customers.",
    "Nice to have; it can follow in a later release.",
];

const EDGE_CASES: &[(&str, &str)] = &[
    (
        "two users {action} at the same time",
        "The later request waits for the first and then runs on fresh data.",
    ),
    (
        "the workspace has more than {count} {many}",
        "The run is split into batches of {count} and each batch commits on its own.",
    ),
    (
        "{a_one} is deleted while {noun} is running",
        "The deleted {one} is skipped and named in the run summary.",
    ),
    (
        "the network drops half-way through",
        "The client retries with the same idempotency key; nothing is done twice.",
    ),
    (
        "the `{field}` of {a_one} is empty",
        "The {one} is reported as invalid and the rest of the run goes on.",
    ),
    (
        "{a_role} loses access during a run",
        "The run finishes for the {many} already started and stops there.",
    ),
];

const ASSUMPTIONS: &[&str] = &[
    "{A_role} has already set up their workspace.",
    "Workspaces have at most {count} {many} in the first release.",
    "{Noun} of archived {many} is out of scope for this feature.",
    "The existing audit log can take one more event type without changes.",
    "Users sign in with the existing session; no new auth is needed.",
];

const FUNCTIONAL: &[&str] = &[
    "System MUST let {role}s {action}.",
    "System MUST validate `{field}` before saving {a_one}.",
    "System MUST NOT expose {many} of other workspaces.",
    "Users MUST be able to {action} {context}.",
    "System MUST keep the results of a run for {retention}.",
    "System MUST record every run in the audit log.",
];

/// The user stories' titles, shared by `spec.md` and the phases of
/// `tasks.md`: the feature's own action first, then distinct others.
fn story_titles(p: &mut Prose, count: usize) -> Vec<String> {
    let mut titles = vec![capitalize(&p.fill("{action}"))];
    for index in p.rng.distinct(STORY_TITLES.len(), count - 1) {
        titles.push(capitalize(&p.fill(STORY_TITLES[index])));
    }
    titles
}

fn speckit_spec_stories(
    w: &mut dyn Write,
    p: &mut Prose,
    dir: &str,
    stories: &[String],
) -> io::Result<()> {
    let created = p.date(10);
    writeln!(w, "# Feature Specification: {}\n", p.feature.title)?;
    let input = p.fill("{action} {context}");
    writeln!(
        w,
        "**Feature Branch**: `{}`  \n**Created**: {created}  \n**Status**: Draft  \n**Input**: User description: \"{} should let users {input}\"\n",
        &dir[6..],
        p.feature.title
    )?;
    if p.rng.chance(60) {
        let session = p.date(12);
        writeln!(w, "## Clarifications\n\n### Session {session}\n")?;
        for _ in 0..p.rng.range(2, 4) {
            let (question, answer) = p.question_and_answer();
            writeln!(w, "- Q: {question} → A: {answer}")?;
        }
        writeln!(w)?;
    }
    writeln!(w, "## User Scenarios & Testing *(mandatory)*")?;
    for (story, title) in (1_usize..).zip(stories) {
        let priority = story.div_ceil(2).min(3);
        writeln!(
            w,
            "\n### User Story {story} - {title} (Priority: P{priority})\n"
        )?;
        let text = p.story();
        writeln!(w, "{text}\n")?;
        let reason = if story == 1 {
            p.fill(PRIORITY_REASONS[0])
        } else {
            p.sentence(&PRIORITY_REASONS[1..])
        };
        writeln!(w, "**Why this priority**: {reason}\n")?;
        let event = p.event();
        writeln!(
            w,
            "**Independent Test**: Can be fully tested when {event} and the result is checked against the list below.\n"
        )?;
        writeln!(w, "**Acceptance Scenarios**:\n")?;
        for number in 1..=p.rng.range(2, 5) {
            let (given, when, then) = (p.precondition(), p.event(), p.response());
            writeln!(
                w,
                "{number}. **Given** {given}, **When** {when}, **Then** the system should {then}"
            )?;
        }
        writeln!(w, "\n---")?;
    }
    writeln!(w, "\n### Edge Cases\n")?;
    for index in p.rng.distinct(EDGE_CASES.len(), 4) {
        let (case, answer) = EDGE_CASES[index];
        let (case, answer) = (p.fill(case), p.fill(answer));
        if p.rng.chance(50) {
            writeln!(w, "- What happens when {case}? {answer}")?;
        } else {
            writeln!(w, "- What happens when {case}?\n  - {answer}")?;
        }
    }
    Ok(())
}

fn speckit_spec_requirements(w: &mut dyn Write, p: &mut Prose, all_done: bool) -> io::Result<()> {
    writeln!(
        w,
        "\n## Requirements *(mandatory)*\n\n### Functional Requirements\n"
    )?;
    // Distinct requirements from both pools: the specific ones and "System
    // MUST <response>".
    let count = p.rng.range(6, 14);
    let unclear = (!all_done && p.rng.chance(30)).then(|| p.rng.below(count));
    let picks = p.rng.distinct(FUNCTIONAL.len() + RESPONSES.len(), count);
    for (number, pick) in (1..).zip(picks) {
        let mut text = match FUNCTIONAL.get(pick) {
            Some(template) => capitalize(&p.fill(template)),
            None => format!(
                "System MUST {}.",
                p.fill(RESPONSES[pick - FUNCTIONAL.len()])
            ),
        };
        if unclear == Some(number - 1) {
            let question = p.question();
            text = format!(
                "{} [NEEDS CLARIFICATION: {question}]",
                text.trim_end_matches('.')
            );
        }
        writeln!(w, "- **FR-{number:03}**: {text}")?;
    }
    writeln!(w, "\n### Key Entities\n")?;
    let entities = [
        "- **{One}**: the record {noun} works on; key attributes `id`, `owner_id`, `{field}`.",
        "- **{Noun} run**: one execution of {noun}, with its status, counts and the user who started it.",
        "- **Audit entry**: who did what to which {one}, and when.",
    ];
    for line in entities {
        let line = p.fill(line);
        writeln!(w, "{line}")?;
    }
    writeln!(
        w,
        "\n## Success Criteria *(mandatory)*\n\n### Measurable Outcomes\n"
    )?;
    for (number, outcome) in p.sentences(OUTCOMES, 3, 6).into_iter().enumerate() {
        writeln!(w, "- **SC-{:03}**: {outcome}", number + 1)?;
    }
    writeln!(w, "\n## Assumptions\n")?;
    p.bullets(w, ASSUMPTIONS, 2, 4)
}

fn speckit_plan(w: &mut dyn Write, p: &mut Prose, dir: &str) -> io::Result<()> {
    let stack = p.kit.stack;
    let date = p.date(14);
    writeln!(w, "# Implementation Plan: {}\n", p.feature.title)?;
    writeln!(
        w,
        "**Branch**: `{}` | **Date**: {date} | **Spec**: [spec.md](./spec.md)  \n**Input**: Feature specification from `/{dir}/spec.md`\n",
        &dir[6..]
    )?;
    writeln!(w, "## Summary\n")?;
    let summary = p.paragraph(OVERVIEW, 2, 4);
    writeln!(w, "{summary}\n")?;
    writeln!(w, "## Technical Context\n")?;
    writeln!(
        w,
        "**Language/Version**: {}  \n**Primary Dependencies**: {}  \n**Storage**: {}  \n**Testing**: {}  \n**Target Platform**: {}  \n**Project Type**: web application (API, worker and web client)",
        stack.language, stack.dependencies, stack.storage, stack.testing, stack.platform
    )?;
    let performance = p.sentence(OUTCOMES);
    let scale = p.fill("up to {count} {many} per workspace");
    writeln!(
        w,
        "**Performance Goals**: {performance}  \n**Constraints**: every query filters on `owner_id`; runs are idempotent  \n**Scale/Scope**: {scale}\n"
    )?;
    writeln!(
        w,
        "## Constitution Check\n\n*GATE: Must pass before Phase 0 research. Re-check after Phase 1 design.*\n"
    )?;
    for (name, _, _) in PRINCIPLES.iter().take(p.rng.range(3, 5)) {
        let how = p.sentence(PRD_REQUIREMENTS);
        writeln!(w, "- ✅ **{name}**: {how}")?;
    }
    writeln!(
        w,
        "\n## Project Structure\n\n### Documentation (this feature)\n"
    )?;
    writeln!(
        w,
        "```text\n{dir}/\n├── plan.md\n├── research.md\n├── data-model.md\n├── spec.md\n└── tasks.md\n```\n"
    )?;
    writeln!(w, "### Source Code (repository root)\n")?;
    writeln!(
        w,
        "```text\n{}\n```\n",
        stack.source_tree.replace("{m}", &p.feature.module)
    )?;
    let decision = p.sentence(TECH_SECTIONS[0].1);
    writeln!(
        w,
        "**Structure Decision**: Web application layout. {decision}"
    )?;
    constraint_sections(w, p, TECH_SECTIONS, "##", (3, 5))?;
    writeln!(
        w,
        "\n## Complexity Tracking\n\nNo violations of the constitution need justifying."
    )
}

const RESEARCH_TOPICS: &[&str] = &[
    "Where {noun} runs",
    "Paging through large sets of {many}",
    "Validating `{field}`",
    "Retry policy for upstream calls",
    "Keeping run results",
];

fn speckit_research(w: &mut dyn Write, p: &mut Prose) -> io::Result<()> {
    writeln!(w, "# Research: {}", p.feature.title)?;
    let count = p.rng.range(3, 5);
    for index in p.rng.distinct(RESEARCH_TOPICS.len(), count) {
        let topic = p.fill(RESEARCH_TOPICS[index]);
        let section = p.rng.below(5);
        let decision = p.sentence(TECH_SECTIONS[section].1);
        let benefit = p.rng.pick(BENEFITS);
        let alternative = p.sentence(ALTERNATIVES);
        writeln!(
            w,
            "\n## {topic}\n\n**Decision**: {decision}\n\n**Rationale**: It keeps the moving parts few, and {benefit}.\n\n**Alternatives considered**: {alternative}\n\n**Findings**:\n"
        )?;
        let (_, findings) = TECH_SECTIONS[p.rng.below(TECH_SECTIONS.len())];
        p.bullets(w, findings, 2, 4)?;
    }
    Ok(())
}

fn speckit_data_model(w: &mut dyn Write, p: &mut Prose) -> io::Result<()> {
    let one = capitalize(p.feature.entity.one);
    writeln!(
        w,
        "# Data Model: {}\n\n## Entities\n\n### {one}\n",
        p.feature.title
    )?;
    writeln!(
        w,
        "- `id` (uuid, primary key)\n- `owner_id` (uuid, not null, indexed)"
    )?;
    for index in p.rng.distinct(FIELDS.len(), 4) {
        writeln!(w, "- `{}` (nullable)", FIELDS[index])?;
    }
    writeln!(w, "\n**Validation rules**:\n")?;
    p.bullets(
        w,
        &[
            "`{field}` is required when the {one} is not a draft.",
            "`{field}` is at most 200 characters.",
            "`owner_id` never changes after creation.",
        ],
        1,
        3,
    )?;
    writeln!(w, "\n### {} run\n", capitalize(p.feature.kind.noun))?;
    writeln!(
        w,
        "- `id` (uuid)\n- `owner_id` (uuid)\n- `status` (`queued`, `running`, `done`, `failed`, `cancelled`)\n- `started_by` (uuid of the user)\n- `total`, `processed`, `failed` (integers)\n- `started_at`, `finished_at` (timestamps)\n- `error_code` (text, nullable)"
    )?;
    writeln!(
        w,
        "\n**Relationships**: a run belongs to one workspace and touches many {}; each touched {} gets one run item.\n\n### Run item\n\n- `run_id` (uuid, part of the primary key)\n- `{}_id` (uuid, part of the primary key)\n- `result` (`done`, `skipped`, `failed`)\n- `error_code` (text, nullable)\n- `message` (text, at most 500 characters)",
        p.feature.entity.many,
        p.feature.entity.one,
        p.feature.entity.one.replace(' ', "_")
    )?;
    writeln!(
        w,
        "\n## State transitions\n\n```text\nqueued → running → done\n              └──→ failed\n```"
    )
}

/// A phase of `tasks.md`: its title, the user story it serves, its size.
struct Phase {
    title: String,
    /// What a phase that serves no story is for.
    purpose: &'static str,
    story: Option<usize>,
    tasks: usize,
}

fn speckit_phases(tasks: usize, stories: &[String]) -> Vec<Phase> {
    let setup = (tasks / 10).max(1);
    let foundational = if tasks >= 6 { (tasks / 8).max(1) } else { 0 };
    let polish = if tasks >= 4 { (tasks / 10).max(1) } else { 0 };
    let rest = tasks - setup - foundational - polish;
    let mut phases = vec![Phase {
        title: "Setup (Shared Infrastructure)".to_owned(),
        purpose: "Project initialization and basic structure",
        story: None,
        tasks: setup,
    }];
    if foundational > 0 {
        phases.push(Phase {
            title: "Foundational (Blocking Prerequisites)".to_owned(),
            purpose: "Core infrastructure that MUST be complete before ANY user story can be implemented",
            story: None,
            tasks: foundational,
        });
    }
    // A story without tasks yet is left out, as a P3 story waits in real kits.
    let served = stories.len().min(rest);
    for (story, title) in (1..=served).zip(stories) {
        let share = rest / served + usize::from(story <= rest % served);
        let mvp = if story == 1 { " 🎯 MVP" } else { "" };
        phases.push(Phase {
            title: format!(
                "User Story {story} - {title} (Priority: P{}){mvp}",
                story.div_ceil(2).min(3)
            ),
            purpose: "",
            story: Some(story),
            tasks: share,
        });
    }
    if polish > 0 {
        phases.push(Phase {
            title: "Polish & Cross-Cutting Concerns".to_owned(),
            purpose: "Improvements that affect multiple user stories",
            story: None,
            tasks: polish,
        });
    }
    phases
}

fn speckit_tasks(
    w: &mut dyn Write,
    p: &mut Prose,
    dir: &str,
    phases: &[Phase],
    statuses: &[Status],
) -> io::Result<()> {
    let width = statuses.len().to_string().len().max(3);
    let done = if p.rng.chance(60) { 'X' } else { 'x' };
    writeln!(w, "# Tasks: {}\n", p.feature.title)?;
    writeln!(
        w,
        "**Input**: Design documents from `/{dir}/`  \n**Prerequisites**: plan.md (required), spec.md (required for user stories), research.md, data-model.md\n"
    )?;
    writeln!(
        w,
        "**Organization**: Tasks are grouped by user story so each story can be built and tested on its own.\n"
    )?;
    writeln!(
        w,
        "## Format: `[ID] [P?] [Story] Description`\n\n- **[P]**: Can run in parallel (different files, no dependencies)\n- **[Story]**: Which user story this task belongs to (e.g., US1, US2, US3)\n- Include exact file paths in descriptions"
    )?;
    let mut next = 0;
    for (number, phase) in phases.iter().enumerate() {
        writeln!(w, "\n---\n\n## Phase {}: {}\n", number + 1, phase.title)?;
        let intro = match phase.story {
            Some(_) => p.fill("**Goal**: {A_role} can {action} {context}."),
            None => format!("**Purpose**: {}", phase.purpose),
        };
        writeln!(w, "{intro}\n")?;
        let tests = if phase.story.is_some() && phase.tasks >= 3 {
            phase.tasks / 3
        } else {
            0
        };
        for offset in 0..phase.tasks {
            if let Some(story) = phase.story {
                if offset == 0 && tests > 0 {
                    writeln!(w, "### Tests for User Story {story}\n")?;
                } else if offset == tests && tests > 0 {
                    writeln!(w, "\n### Implementation for User Story {story}\n")?;
                }
            }
            let title = if offset < tests {
                p.sentence(&[
                    "Contract test for {endpoint} in {test_path}",
                    "Integration test for the {noun} flow in {test_path}",
                ])
            } else {
                let title = p.work_title(next, statuses.len());
                let path = p.fill("{path}");
                format!("{title} in {path}")
            };
            let parallel = if p.rng.chance(40) { " [P]" } else { "" };
            let story = phase
                .story
                .map(|story| format!(" [US{story}]"))
                .unwrap_or_default();
            let depends = if next > 2 && p.rng.chance(10) && statuses[next] == Status::Todo {
                format!(" (depends on T{:0width$})", next - p.rng.range(1, 2) + 1)
            } else {
                String::new()
            };
            writeln!(
                w,
                "- {} T{:0width$}{parallel}{story} {title}{depends}",
                statuses[next].checkbox(done),
                next + 1
            )?;
            next += 1;
        }
        if let Some(story) = phase.story {
            writeln!(
                w,
                "\n**Checkpoint**: User Story {story} works and can be tested on its own."
            )?;
        }
    }
    writeln!(
        w,
        "\n---\n\n## Dependencies & Execution Order\n\n- **Setup (Phase 1)**: No dependencies; start at once.\n- **Foundational (Phase 2)**: Blocks every user story.\n- **User Stories**: Can run in parallel once Phase 2 is done, in priority order when staffed alone.\n- **Polish**: After the stories it touches."
    )?;
    writeln!(
        w,
        "\n## Implementation Strategy\n\n1. Finish Setup and Foundational.\n2. Ship User Story 1 as the MVP and demo it.\n3. Add the other stories one at a time, each tested on its own."
    )
}

// ---------------------------------------------------------------------------
// Kiro: .kiro/steering/*.md, .kiro/specs/<name>/{requirements,design,tasks}.md

const REQUIREMENT_NAMES: &[&str] = &[
    "Validate {many} before {noun}",
    "Limit the size of a {noun} run",
    "Record who ran {noun}",
    "Show progress of a {noun} run",
    "Recover from a failed run",
    "Restrict {noun} to permitted users",
    "Notify the {role} when a run finishes",
    "Keep {noun} results for {retention}",
    "Undo a {noun} run",
    "Page through large sets of {many}",
    "Show errors next to the field",
];

fn write_kiro(kit: &Kit, out: &mut Output) -> Result<()> {
    let mut prose = kit.project_prose();
    kiro_steering(&mut prose, out)?;
    for feature in &kit.features {
        let mut prose = kit.prose(feature);
        let statuses = prose.statuses(kit.tasks);
        let dir = format!(".kiro/specs/{}", feature.slug);
        let requirements = (kit.tasks / 3 + prose.rng.range(0, 2)).clamp(2, 12);
        let criteria: Vec<usize> = (0..requirements).map(|_| prose.rng.range(2, 6)).collect();
        out.file(&format!("{dir}/requirements.md"), |w| {
            kiro_requirements(w, &mut prose, &criteria)
        })?;
        out.file(&format!("{dir}/design.md"), |w| {
            kiro_design_head(w, &mut prose)?;
            kiro_design_tail(w, &mut prose, &criteria)
        })?;
        let tasks = kiro_plan(&mut prose, &statuses, &criteria);
        out.file(&format!("{dir}/tasks.md"), |w| {
            kiro_tasks(w, &mut prose, &tasks)
        })?;
    }
    Ok(())
}

const API_GUIDE: &str = "\
# API Development

## Endpoints
- Every endpoint lives under `/api/<resource>` and takes and returns JSON.
- Lists page with an opaque `cursor` and return at most 100 items; never offsets.
- Writes accept an `Idempotency-Key` header and return the first answer for a repeated key.
- Long work returns 202 with a run id; the client polls `GET /api/runs/{id}`.

## Errors
- Validation errors return 422 with `{ \"error\": { \"code\", \"message\", \"field\" } }`.
- Another workspace's ids return 404, never 403.
- Unexpected errors return 500 with a request id, and are reported to the error tracker.

## Security
- Every handler checks the session first; anonymous requests get 401.
- Every query filters on `owner_id`.
- Secrets come from the environment and are never logged.

## Documentation
- New endpoints and error codes are added to the API reference in the same pull request.";

fn kiro_steering(p: &mut Prose, out: &mut Output) -> Result<()> {
    let stack = p.kit.stack;
    let product = p.kit.product;
    out.file(".kiro/steering/product.md", |w| {
        writeln!(w, "---\ninclusion: always\n---\n\n# Product Overview\n\n{product} is a web app that helps small businesses keep their records in one place.\n\n## Core Features\n")?;
        p.bullets(w, GOALS, 3, 5)?;
        writeln!(w, "\n## Target Users\n\n- Owners of businesses with 1 to 50 staff\n- Their bookkeepers and support agents")
    })?;
    out.file(".kiro/steering/tech.md", |w| {
        writeln!(w, "---\ninclusion: always\n---\n\n# Tech Stack\n\n## Language\n- {}\n\n## Dependencies\n- {}\n\n## Storage\n- {}\n\n## Testing\n- {}\n", stack.language, stack.dependencies, stack.storage, stack.testing)?;
        writeln!(w, "## Common Commands\n\n```bash\nmake dev      # start the API, worker and web client\nmake test     # unit and integration tests\nmake migrate  # apply pending migrations\n```\n\n## Code Style")?;
        p.bullets(w, PROJECT_CONSTRAINTS, 3, 5)
    })?;
    out.file(".kiro/steering/structure.md", |w| {
        writeln!(w, "# Project Structure\n\n```text\n{}\n```\n\n## Conventions\n\n- One module per feature, named after it.\n- Tests sit next to the code they cover or under the matching test folder.", stack.source_tree.replace("{m}", "<feature>"))
    })?;
    out.file(".kiro/steering/testing-guide.md", |w| {
        writeln!(w, "---\ninclusion: fileMatch\nfileMatchPattern: \"**/*test*\"\n---\n\n# Testing Guide\n\n- Integration tests use a real database started by the test harness.\n- Property tests cover every parser and every state machine.\n\n## Definition of Done\n")?;
        p.bullets(w, DEFINITION_OF_DONE, 4, 6)
    })?;
    out.file(".kiro/steering/api-development.md", |w| {
        writeln!(w, "---\ninclusion: always\n---\n\n{API_GUIDE}")
    })?;
    out.file(".kiro/steering/release-runbook.md", |w| {
        writeln!(w, "---\ninclusion: manual\n---\n\n# Release runbook\n\n- Tag the release and push the tag.\n- Watch the error rate for 30 minutes before announcing.")
    })
}

/// What an `IF ..., THEN` criterion guards against.
const CONDITIONS: &[&str] = &[
    "the request touches more than {limit} {many}",
    "the `{field}` of {a_one} is empty",
    "the upstream API does not answer within {duration}",
    "the user has no access to the workspace",
    "the same run is started twice",
];

/// One EARS acceptance criterion, in one of the shapes Kiro writes.
fn ears(p: &mut Prose, system: &str) -> String {
    let mut response = p.response();
    if p.rng.chance(30) {
        // Real criteria often chain two outcomes in one sentence.
        response = format!("{response} and {}", p.response());
    }
    match p.rng.below(6) {
        0 | 1 => {
            let event = p.event();
            format!("WHEN {event}, THE {system} SHALL {response}")
        }
        2 => {
            let event = p.event();
            format!("WHEN {event} THEN the {system} SHALL {response}")
        }
        3 => {
            let condition = p.rng.pick(CONDITIONS);
            let condition = p.fill(condition);
            format!("IF {condition}, THEN THE {system} SHALL {response}")
        }
        4 => format!(
            "WHILE a {} run is in progress, THE {system} SHALL {response}",
            p.feature.kind.noun
        ),
        _ => format!("THE {system} SHALL {response}"),
    }
}

fn kiro_requirements(w: &mut dyn Write, p: &mut Prose, criteria: &[usize]) -> io::Result<()> {
    let system = format!("{} Service", p.feature.type_name);
    writeln!(w, "# Requirements Document\n\n## Introduction\n")?;
    let intro = p.paragraph(OVERVIEW, 3, 5);
    writeln!(w, "{intro}\n\n## Glossary\n")?;
    writeln!(
        w,
        "- **{system}**: the part of {} that implements {}",
        p.kit.product, p.feature.kind.noun
    )?;
    let glossary = [
        "- **{One}**: a record owned by one workspace",
        "- **{Noun} run**: one execution of {noun} over a set of {many}",
        "- **{Role}**: a signed-in user with access to the workspace",
    ];
    for line in glossary {
        let line = p.fill(line);
        writeln!(w, "{line}")?;
    }
    writeln!(w, "\n## Requirements")?;
    let named = p.rng.chance(70);
    for (index, &count) in criteria.iter().enumerate() {
        let number = index + 1;
        if named {
            let name = if index == 0 {
                capitalize(&p.fill("{action}"))
            } else {
                p.sentence(REQUIREMENT_NAMES)
            };
            writeln!(w, "\n### Requirement {number}: {name}\n")?;
        } else {
            writeln!(w, "\n### Requirement {number}\n")?;
        }
        let story = p.story();
        writeln!(w, "**User Story:** {story}\n\n#### Acceptance Criteria\n")?;
        for criterion in 1..=count {
            let text = ears(p, &system);
            writeln!(w, "{criterion}. {text}")?;
        }
    }
    if p.rng.chance(40) {
        writeln!(w, "\n## Out of Scope\n")?;
        p.bullets(w, OUT_OF_SCOPE, 2, 4)?;
    }
    if p.rng.chance(30) {
        let (question, assumption) = p.question_and_answer();
        writeln!(
            w,
            "\n## Items requiring clarification\n\n**Question:** {question}\n\n**Current Assumption:** {assumption}"
        )?;
    }
    Ok(())
}

fn kiro_design_head(w: &mut dyn Write, p: &mut Prose) -> io::Result<()> {
    let feature = p.feature;
    writeln!(w, "# Design Document\n\n## Overview\n")?;
    let overview = p.paragraph(OVERVIEW, 3, 5);
    writeln!(w, "{overview}\n\n### Key Design Principles\n")?;
    p.numbered(w, PROJECT_CONSTRAINTS, 3, 5)?;
    writeln!(
        w,
        "\n## Architecture\n\n```mermaid\ngraph TB\n    UI[{} panel] --> API[{} routes]\n    API --> Service[{}Service]\n    Service --> Repo[Repository]\n    Service --> Queue[{}]\n    Repo --> DB[(PostgreSQL)]\n```",
        capitalize(feature.kind.noun),
        feature.type_name,
        feature.type_name,
        p.kit.stack.queue
    )?;
    constraint_sections(w, p, &TECH_SECTIONS[1..], "###", (3, 6))?;
    writeln!(w, "\n## Components and Interfaces")?;
    for component in ["Service", "Repository", "Routes", "Worker"]
        .iter()
        .take(p.rng.range(3, 4))
    {
        let path = p.fill("{path}");
        writeln!(w, "\n### {}{component} (`{path}`)\n", feature.type_name)?;
        p.bullets(w, TASK_NOTES, 2, 4)?;
        if *component == "Service" {
            writeln!(
                w,
                "\n```\n{}\n```",
                p.kit.stack.interface.replace("{T}", &feature.type_name)
            )?;
        }
    }
    writeln!(
        w,
        "\n## Data Models\n\n```text\n{}Run {{ id, owner_id, status: queued | running | done | failed, started_at, finished_at, error_code }}\n```",
        feature.type_name
    )?;
    writeln!(w, "\n### {} fields\n", capitalize(feature.entity.one))?;
    writeln!(
        w,
        "- `id`: uuid, primary key\n- `owner_id`: uuid, indexed, never changes"
    )?;
    for index in p.rng.distinct(FIELDS.len(), 4) {
        let rule = p
            .rng
            .pick(&["optional", "required", "at most 200 characters", "indexed"]);
        writeln!(w, "- `{}`: {rule}", FIELDS[index])?;
    }
    let (total, failed) = (p.rng.range(10, 5_000), p.rng.range(0, 9));
    writeln!(
        w,
        "\n### Run status response\n\n```json\n{{\n  \"id\": \"run_8f3a2c\",\n  \"status\": \"running\",\n  \"total\": {total},\n  \"processed\": {},\n  \"failed\": {failed},\n  \"started_at\": \"2025-11-04T09:12:44Z\",\n  \"errors\": [{{ \"id\": \"{}_41\", \"code\": \"validation_failed\", \"field\": \"{}\" }}]\n}}\n```",
        total / 2,
        feature.entity.one.replace(' ', "_"),
        p.rng.pick(FIELDS)
    )
}

const PROPERTIES: &[&str] = &[
    "Idempotent runs",
    "Ownership is enforced",
    "Limits are respected",
    "Counts add up",
    "Round trip keeps every field",
    "Failed runs change nothing",
    "Order is stable",
    "Cancelled runs stop after one batch",
    "Every change is audited",
];

fn kiro_design_tail(w: &mut dyn Write, p: &mut Prose, criteria: &[usize]) -> io::Result<()> {
    writeln!(
        w,
        "\n## Correctness Properties\n\n*A property is a statement that holds for every valid input; each one is checked by a property-based test.*"
    )?;
    let count = p.rng.range(4, 8);
    for (number, index) in (1..).zip(p.rng.distinct(PROPERTIES.len(), count)) {
        let name = PROPERTIES[index];
        let (given, response) = (p.precondition(), p.response());
        let links = kiro_links(p, criteria, 2);
        writeln!(
            w,
            "\n### Property {number}: {name}\n\n*For any* input where there is {given}, the system SHALL {response}.\n\n**Validates: Requirements {links}**"
        )?;
    }
    writeln!(w, "\n## Error Handling")?;
    p.bullets(w, TECH_SECTIONS[5].1, 2, 4)?;
    writeln!(w, "\n## Testing Strategy\n\n### Unit Tests")?;
    p.bullets(w, TEST_PLAN, 2, 3)?;
    writeln!(
        w,
        "\n### Property-Based Tests\n\n- Each correctness property above has one property test, run with at least 100 cases."
    )
}

/// Up to `most` links `r.c` to criteria that exist.
fn kiro_links(p: &mut Prose, criteria: &[usize], most: usize) -> String {
    let mut links = Vec::new();
    for _ in 0..p.rng.range(1, most) {
        let requirement = p.rng.below(criteria.len());
        let criterion = p.rng.range(1, criteria[requirement]);
        let link = (requirement + 1, criterion);
        if !links.contains(&link) {
            links.push(link);
        }
    }
    links.sort_unstable();
    links
        .iter()
        .map(|(requirement, criterion)| format!("{requirement}.{criterion}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line of Kiro's task list: a parent `2.` or a step `2.1`.
struct KiroTask {
    number: String,
    step: bool,
    optional: bool,
    status: Status,
    title: String,
    details: Vec<String>,
    links: Option<String>,
    property: Option<usize>,
}

fn kiro_plan(p: &mut Prose, statuses: &[Status], criteria: &[usize]) -> Vec<KiroTask> {
    let total = statuses.len();
    let mut tasks: Vec<KiroTask> = Vec::with_capacity(total);
    let mut parent = 0;
    let mut property = 0;
    while tasks.len() < total {
        parent += 1;
        let left = total - tasks.len() - 1;
        let steps = if left == 0 || p.rng.chance(20) {
            0
        } else {
            p.rng.range(1, left.min(4))
        };
        let checkpoint = steps == 0 && parent > 2 && p.rng.chance(30);
        let title = if checkpoint {
            "Checkpoint - Ensure all tests pass, ask the user if questions arise".to_owned()
        } else {
            p.work_title(tasks.len(), total)
        };
        let own_work = steps == 0 && !checkpoint;
        tasks.push(KiroTask {
            number: format!("{parent}."),
            step: false,
            optional: false,
            status: statuses[tasks.len()],
            title,
            details: if own_work {
                p.sentences(TASK_NOTES, 2, 4)
            } else {
                Vec::new()
            },
            links: own_work.then(|| kiro_links(p, criteria, 3)),
            property: None,
        });
        for step in 1..=steps {
            let test = step == steps && steps > 1 && p.rng.chance(50);
            if test {
                property += 1;
            }
            tasks.push(KiroTask {
                number: format!("{parent}.{step}"),
                step: true,
                optional: test && p.rng.chance(60),
                status: statuses[tasks.len()],
                title: if test {
                    p.fill("Write property test for {noun}")
                } else {
                    p.work_title(tasks.len(), total)
                },
                details: if test {
                    Vec::new()
                } else {
                    p.sentences(TASK_NOTES, 2, 4)
                },
                links: Some(kiro_links(p, criteria, 3)),
                property: test.then_some(property),
            });
        }
    }
    settle_parents(&mut tasks);
    tasks
}

/// A parent is done when all its steps are, started when one is: Kiro
/// ticks parents as their steps progress.
fn settle_parents(tasks: &mut [KiroTask]) {
    let mut start = 0;
    while start < tasks.len() {
        let end = (start + 1..tasks.len())
            .find(|&i| !tasks[i].step)
            .unwrap_or(tasks.len());
        let steps = &tasks[start + 1..end];
        if !steps.is_empty() {
            let all_done = steps.iter().all(|s| s.status == Status::Done);
            let started = steps
                .iter()
                .any(|s| matches!(s.status, Status::Done | Status::InProgress));
            let parent_started = tasks[start].status == Status::InProgress;
            tasks[start].status = if all_done {
                Status::Done
            } else if started || parent_started {
                if !started {
                    tasks[start + 1].status = Status::InProgress;
                }
                Status::InProgress
            } else {
                Status::Todo
            };
        }
        start = end;
    }
}

fn kiro_tasks(w: &mut dyn Write, p: &mut Prose, tasks: &[KiroTask]) -> io::Result<()> {
    let nested = p.rng.chance(70);
    writeln!(w, "# Implementation Plan")?;
    for task in tasks {
        let indent = if task.step && nested { "  " } else { "" };
        if !task.step || !nested {
            writeln!(w)?;
        }
        let star = if task.optional { "*" } else { "" };
        writeln!(
            w,
            "{indent}- {}{star} {} {}",
            task.status.checkbox('x'),
            task.number,
            task.title
        )?;
        for detail in &task.details {
            writeln!(w, "{indent}  - {detail}")?;
        }
        match (task.property, &task.links) {
            (Some(number), Some(links)) => {
                let name = PROPERTIES[number % PROPERTIES.len()];
                writeln!(
                    w,
                    "{indent}  - **Property {number}: {name}**\n{indent}  - **Validates: Requirements {links}**"
                )?;
            }
            (None, Some(links)) => writeln!(w, "{indent}  - _Requirements: {links}_")?,
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// OpenSpec: openspec/project.md, config.yaml, changes/<id>/, specs/<capability>/

const CHANGE_VERBS: &[&str] = &["add", "update", "improve", "support", "introduce", "rework"];

const CAPABILITY_ASPECTS: &[&str] = &[
    "listing",
    "validation",
    "ownership",
    "audit trail",
    "retention",
    "search",
    "notifications",
    "import",
    "export",
    "permissions",
    "archiving",
    "history",
];

const SCENARIO_NAMES: &[&str] = &[
    "Happy path",
    "Over the limit",
    "Another workspace's {one}",
    "Retry after a failure",
    "Empty list",
    "Concurrent edits",
    "Archived {many}",
    "Missing `{field}`",
];

const GROUPS: &[&str] = &[
    "Database and Models",
    "API",
    "Background Jobs",
    "Web UI",
    "Observability",
    "Testing",
    "Documentation",
    "Rollout",
];

/// A capability of `openspec/specs/`, named after what changes work on:
/// an entity (`invoices`), then an entity and a kind (`invoices-export`).
struct Capability {
    slug: String,
    entity: usize,
    kind: &'static Kind,
}

fn entity_capability(feature: &Feature) -> String {
    feature.entity.many.replace(' ', "-")
}

fn kind_capability(feature: &Feature) -> String {
    format!("{}-{}", entity_capability(feature), feature.kind.slug)
}

/// One capability per three changes, from what the changes touch, so most
/// changes modify a capability that exists and the others add one.
fn plan_capabilities(features: &[Feature]) -> Vec<Capability> {
    let wanted = features.len().div_ceil(3);
    let mut seen = HashSet::new();
    let mut capabilities = Vec::with_capacity(wanted);
    let namings: [fn(&Feature) -> String; 2] = [entity_capability, kind_capability];
    for naming in namings {
        for feature in features {
            if capabilities.len() == wanted {
                return capabilities;
            }
            let slug = naming(feature);
            if seen.insert(slug.clone()) {
                capabilities.push(Capability {
                    slug,
                    entity: feature.entity_index,
                    kind: feature.kind,
                });
            }
        }
    }
    capabilities
}

/// The requirement names of capability `index`: a pure function of the
/// index, so changes can modify requirements that exist.
fn capability_requirements(kit: &Kit, capability: &Capability, index: usize) -> Vec<String> {
    let mut rng = Rng::new(kit.seed, (1 << 40) + index as u64);
    let one = capitalize(ENTITIES[capability.entity].one);
    let count = rng.range(3, 6);
    rng.distinct(CAPABILITY_ASPECTS.len(), count)
        .into_iter()
        .map(|aspect| format!("{one} {}", CAPABILITY_ASPECTS[aspect]))
        .collect()
}

fn write_openspec(kit: &Kit, out: &mut Output) -> Result<()> {
    let mut prose = kit.project_prose();
    out.file("openspec/project.md", |w| openspec_project(w, &mut prose))?;
    out.file("openspec/config.yaml", |w| openspec_config(w, kit))?;
    let capabilities = plan_capabilities(&kit.features);
    for (index, capability) in capabilities.iter().enumerate() {
        let names = capability_requirements(kit, capability, index);
        // The capability's text speaks of its own entity, as a feature's does.
        let title = capability.slug.replace('-', " ");
        let subject = Feature::new(
            0,
            capability.slug.clone(),
            &title,
            capability.entity,
            capability.kind,
        );
        let mut prose = Prose::new(Rng::new(kit.seed, (1 << 41) + index as u64), kit, &subject);
        out.file(
            &format!("openspec/specs/{}/spec.md", capability.slug),
            |w| openspec_capability(w, &mut prose, capability, &names),
        )?;
    }
    for feature in &kit.features {
        openspec_change(kit, out, feature, &capabilities)?;
    }
    Ok(())
}

fn openspec_config(w: &mut dyn Write, kit: &Kit) -> io::Result<()> {
    writeln!(
        w,
        "schema: spec-driven\n\ncontext: |\n  Tech stack: {}; {}.\n  All times are stored in UTC.\n  Every table carrying user data has an owner_id column.\n\nrules:\n  proposal:\n    - Keep proposals short\n  tasks:\n    - One task per pull request",
        kit.stack.language, kit.stack.storage
    )
}

/// One change: a delta for the capability it works on (modifying one that
/// exists, or adding it), sometimes a second new capability, a design for
/// most, and the tasks.
fn openspec_change(
    kit: &Kit,
    out: &mut Output,
    feature: &Feature,
    capabilities: &[Capability],
) -> Result<()> {
    let mut prose = kit.prose(feature);
    let statuses = prose.statuses(kit.tasks);
    let verb = prose.rng.pick(CHANGE_VERBS);
    let dir = format!("openspec/changes/{verb}-{}", feature.slug);
    let (by_kind, by_entity) = (kind_capability(feature), entity_capability(feature));
    let existing = capabilities
        .iter()
        .position(|c| c.slug == by_kind)
        .or_else(|| capabilities.iter().position(|c| c.slug == by_entity));
    let (target, names) = match existing {
        Some(index) => (
            capabilities[index].slug.clone(),
            capability_requirements(kit, &capabilities[index], index),
        ),
        None => (by_entity, Vec::new()),
    };
    let extra = prose.rng.chance(30).then(|| {
        format!(
            "{}-{}",
            feature.entity.one.replace(' ', "-"),
            feature.kind.slug
        )
    });
    let mut touched = vec![target.clone()];
    touched.extend(extra.clone());
    out.file(&format!("{dir}/proposal.md"), |w| {
        openspec_proposal(w, &mut prose, &touched)
    })?;
    out.file(&format!("{dir}/specs/{target}/spec.md"), |w| {
        let first = format!("{} {}", capitalize(feature.entity.one), feature.kind.noun);
        openspec_delta(w, &mut prose, &first, &names)
    })?;
    if let Some(slug) = &extra {
        out.file(&format!("{dir}/specs/{slug}/spec.md"), |w| {
            let first = capitalize(&prose.fill("{action}"));
            openspec_delta(w, &mut prose, &first, &[])
        })?;
    }
    if prose.rng.chance(60) {
        out.file(&format!("{dir}/design.md"), |w| {
            openspec_design(w, &mut prose)
        })?;
    }
    out.file(&format!("{dir}/tasks.md"), |w| {
        openspec_tasks(w, &mut prose, &statuses)
    })
}

fn openspec_project(w: &mut dyn Write, p: &mut Prose) -> io::Result<()> {
    let stack = p.kit.stack;
    writeln!(
        w,
        "# Project Context: {}\n\n## Purpose\n\n{} is a web app that helps small businesses keep their records in one place.\n",
        p.kit.product, p.kit.product
    )?;
    writeln!(
        w,
        "## Tech Stack\n\n- **Language**: {}\n- **Libraries**: {}\n- **Storage**: {}\n- **Testing**: {}\n- **Deployment**: {}\n",
        stack.language, stack.dependencies, stack.storage, stack.testing, stack.platform
    )?;
    writeln!(
        w,
        "## Project Conventions\n\n### Code Style\n\n- Formatter and linter run in CI; a pull request with warnings does not merge.\n- One module per feature, named after it.\n\n### Architecture Patterns\n"
    )?;
    p.bullets(w, PROJECT_CONSTRAINTS, 3, 5)?;
    writeln!(
        w,
        "\n### Testing Strategy\n\n- `openspec validate` passes for every change.\n- Integration tests run against a real database.\n\n### Definition of Done\n"
    )?;
    p.bullets(w, DEFINITION_OF_DONE, 3, 5)?;
    writeln!(
        w,
        "\n## Domain Context\n\n- Every record belongs to exactly one workspace.\n- Money is stored in integer cents with an ISO currency code.\n\n## Important Constraints\n\n- Personal data stays in the EU region.\n- No third-party tracking scripts in the web client."
    )
}

fn openspec_requirement(w: &mut dyn Write, p: &mut Prose, name: &str) -> io::Result<()> {
    let statement = p.response();
    writeln!(
        w,
        "\n### Requirement: {name}\n\nThe system SHALL {statement}."
    )?;
    let count = p.rng.range(1, 4);
    for index in p.rng.distinct(SCENARIO_NAMES.len(), count) {
        let scenario = p.fill(SCENARIO_NAMES[index]);
        let (event, then) = (p.event(), p.response());
        writeln!(w, "\n#### Scenario: {scenario}\n")?;
        if p.rng.chance(40) {
            let given = p.precondition();
            writeln!(w, "- **GIVEN** {given}")?;
        }
        writeln!(
            w,
            "- **WHEN** {event}\n- **THEN** the system {}",
            third_person(&then)
        )?;
        if p.rng.chance(40) {
            let and = p.response();
            writeln!(w, "- **AND** the system {}", third_person(&and))?;
        }
    }
    Ok(())
}

fn openspec_capability(
    w: &mut dyn Write,
    p: &mut Prose,
    capability: &Capability,
    names: &[String],
) -> io::Result<()> {
    writeln!(w, "# {} Specification\n\n## Purpose\n", capability.slug)?;
    let many = ENTITIES[capability.entity].many;
    writeln!(
        w,
        "How {} keeps {many}: who may see and change them, what is checked, and what is recorded.\n\n## Requirements",
        p.kit.product
    )?;
    for name in names {
        openspec_requirement(w, p, name)?;
    }
    Ok(())
}

fn openspec_proposal(w: &mut dyn Write, p: &mut Prose, touched: &[String]) -> io::Result<()> {
    writeln!(w, "# Change: {}\n\n## Why\n", p.feature.title)?;
    let why = p.paragraph(OVERVIEW, 2, 4);
    writeln!(w, "{why}\n\n## What Changes\n")?;
    p.bullets(w, PRD_REQUIREMENTS, 4, 7)?;
    if p.rng.chance(15) {
        writeln!(
            w,
            "- **BREAKING**: {} responses page with a cursor instead of an offset.",
            p.feature.entity.many
        )?;
    }
    let specs: Vec<String> = touched.iter().map(|slug| format!("`{slug}`")).collect();
    let (code, web) = (p.fill("{path}"), p.fill("{web_path}"));
    writeln!(
        w,
        "\n## Impact\n\n- Affected specs: {}\n- Affected code: `{code}`, `{web}`",
        specs.join(", ")
    )
}

/// A delta spec: requirements added, and for an existing capability some
/// of its requirements modified or removed.
fn openspec_delta(
    w: &mut dyn Write,
    p: &mut Prose,
    first: &str,
    existing: &[String],
) -> io::Result<()> {
    writeln!(w, "## ADDED Requirements")?;
    openspec_requirement(w, p, first)?;
    for _ in 0..p.rng.range(0, 2) {
        let name = p.sentence(REQUIREMENT_NAMES);
        openspec_requirement(w, p, &name)?;
    }
    if !existing.is_empty() && p.rng.chance(50) {
        writeln!(w, "\n## MODIFIED Requirements")?;
        let name = existing[p.rng.below(existing.len())].clone();
        openspec_requirement(w, p, &name)?;
    }
    if existing.len() > 3 && p.rng.chance(10) {
        let name = &existing[existing.len() - 1];
        writeln!(
            w,
            "\n## REMOVED Requirements\n\n### Requirement: {name}\n\n**Reason**: Replaced by {}.\n\n**Migration**: Existing data is kept; the old endpoint answers 410.",
            p.feature.title
        )?;
    }
    Ok(())
}

fn openspec_design(w: &mut dyn Write, p: &mut Prose) -> io::Result<()> {
    writeln!(w, "# Design: {}\n\n## Context\n", p.feature.title)?;
    let context = p.paragraph(OVERVIEW, 2, 3);
    writeln!(w, "{context}\n\n## Goals / Non-Goals\n\n**Goals:**")?;
    p.bullets(w, GOALS, 2, 3)?;
    writeln!(w, "\n**Non-Goals:**")?;
    p.bullets(w, NON_GOALS, 1, 3)?;
    writeln!(w, "\n## Decisions")?;
    p.bullets(w, TECH_SECTIONS[0].1, 2, 4)?;
    constraint_sections(w, p, &TECH_SECTIONS[1..], "###", (1, 3))?;
    if p.rng.chance(40) {
        writeln!(w, "\n## Alternatives Considered")?;
        p.bullets(w, ALTERNATIVES, 1, 3)?;
    }
    writeln!(w, "\n## Risks / Trade-offs")?;
    p.bullets(w, RISKS, 1, 3)?;
    writeln!(
        w,
        "\n## Migration Plan\n\n1. Deploy the migration.\n2. Release behind the flag to internal workspaces.\n3. Turn the flag on for everyone; remove it a week later."
    )?;
    if p.rng.chance(50) {
        writeln!(w, "\n## Open Questions")?;
        let count = p.rng.range(1, 2);
        for (question, _) in p.questions(count) {
            writeln!(w, "- {question}")?;
        }
    }
    Ok(())
}

fn openspec_tasks(w: &mut dyn Write, p: &mut Prose, statuses: &[Status]) -> io::Result<()> {
    writeln!(w, "# Tasks: {}", p.feature.title)?;
    let total = statuses.len();
    let mut next = 0;
    let mut group = 0;
    while next < total {
        let size = p.rng.range(2, 6).min(total - next);
        let name = GROUPS[group % GROUPS.len()];
        group += 1;
        writeln!(w, "\n## {group}. {name}\n")?;
        for step in 1..=size {
            let title = p.work_title(next, total);
            writeln!(
                w,
                "- {} {group}.{step} {title}",
                statuses[next].checkbox('x')
            )?;
            next += 1;
        }
    }
    Ok(())
}
