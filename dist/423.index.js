export const id = 423;
export const ids = [423];
export const modules = {

/***/ 1700:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   PH: () => (/* binding */ endChildren),
/* harmony export */   q8: () => (/* binding */ recordChildrenIn),
/* harmony export */   ql: () => (/* binding */ launch)
/* harmony export */ });
/* unused harmony export isRunning */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);


// The child processes this run starts (docker, skopeo), so that a cancelled step ends them and
// the post step makes sure none is left. Each child runs behind `sh`, which writes its process
// ID to a file of its own in this run's folder and then becomes the command; the file is
// removed when the child ends. `timeout`, the usual command, leads a process group of its own
// (the tool and anything it starts), so ending a child means ending that group.
// Loaded by the post step too: node built-ins only.
/** By its full path: the job's PATH may lack it (a runner without coreutils still has it). */
const SHELL = '/bin/sh';
let ledger;
let started = 0;
/** From now on, every child started through `launch` is recorded in `directory`. */
function recordChildrenIn(directory) {
    node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync(directory, { recursive: true, mode: 0o700 });
    ledger = directory;
}
/** The command line that starts `command` recorded, and what to call once it has ended. */
function launch(command, args) {
    if (!ledger || !node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(SHELL))
        return { command, args, ended: () => undefined };
    const file = node_path__WEBPACK_IMPORTED_MODULE_1__.join(ledger, `${started++}.${node_path__WEBPACK_IMPORTED_MODULE_1__.basename(command)}`);
    return {
        command: SHELL,
        args: ['-c', 'echo "$$" > "$0" && exec "$@"', file, command, ...args],
        ended: () => node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(file, { force: true }),
    };
}
/**
 * Ends every recorded child still running (TERM to its process group, KILL after `graceMs`)
 * and returns how many there were. A process ID is only signalled while it still runs the
 * command it was recorded for, so a reused ID is left alone.
 */
async function endChildren(directory = ledger, graceMs = 1000) {
    if (!directory || !node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(directory))
        return 0;
    const running = [];
    for (const entry of node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync(directory)) {
        const pid = Number(node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(node_path__WEBPACK_IMPORTED_MODULE_1__.join(directory, entry), 'utf8').trim());
        const command = entry.slice(entry.indexOf('.') + 1);
        if (Number.isInteger(pid) && pid > 1 && runs(pid, command))
            running.push(pid);
    }
    for (const pid of running)
        signal(pid, 'SIGTERM');
    for (let waited = 0; waited < graceMs && running.some((pid) => isRunning(pid)); waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
    for (const pid of running)
        if (isRunning(pid))
            signal(pid, 'SIGKILL');
    return running.length;
}
/** TERM or KILL to the child's process group (it leads one when it is `timeout`), else to it alone. */
function signal(pid, name) {
    try {
        process.kill(-pid, name);
    }
    catch {
        try {
            process.kill(pid, name);
        }
        catch {
            // already gone
        }
    }
}
/** The process exists and has not ended (a zombie has ended). */
function isRunning(pid) {
    try {
        process.kill(pid, 0);
        return !node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    }
    catch {
        return false;
    }
}
/** The process runs `command` (the recorded wrapper has become it). */
function runs(pid, command) {
    try {
        const argv0 = node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
        return node_path__WEBPACK_IMPORTED_MODULE_1__.basename(argv0) === command;
    }
    catch {
        return false;
    }
}


/***/ }),

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bD: () => (/* binding */ messageOf),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   gl: () => (/* binding */ RegistryError),
/* harmony export */   qD: () => (/* binding */ TagTaken),
/* harmony export */   v4: () => (/* binding */ ToolError),
/* harmony export */   yo: () => (/* binding */ UserError)
/* harmony export */ });
/** A failure the user can act on: its message is shown as it is, as the step's one error. */
class UserError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = 'UserError';
    }
}
/** One or more inputs are invalid; the message names each of them. */
class InputError extends UserError {
    problems;
    constructor(problems) {
        super(problems.length === 1
            ? `Invalid input: ${problems[0]}`
            : `Invalid inputs:\n${problems.map((p) => `- ${p}`).join('\n')}`);
        this.problems = problems;
        this.name = 'InputError';
    }
}
/** The registry answered in a way the action cannot act on safely; nothing was written. */
class RegistryError extends UserError {
    status;
    constructor(message, status, options) {
        super(message, options);
        this.status = status;
        this.name = 'RegistryError';
    }
}
/**
 * A tag this run meant to write was taken first (the registry refused the write with 403, or
 * the last look before the write found it): the registry's state has moved on, so the run
 * reads it again and decides anew.
 */
class TagTaken extends UserError {
    constructor(message, options) {
        super(message, options);
        this.name = 'TagTaken';
    }
}
/** A tool exited non-zero; `detail` is the end of its output, secrets scrubbed. */
class ToolError extends UserError {
    command;
    exitCode;
    detail;
    constructor(command, exitCode, detail) {
        super(`\`${command}\` failed with exit code ${exitCode}:\n${detail}`);
        this.command = command;
        this.exitCode = exitCode;
        this.detail = detail;
        this.name = 'ToolError';
    }
}
function messageOf(error) {
    if (error instanceof Error)
        return error.message;
    return String(error);
}


/***/ }),

/***/ 6423:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// UNUSED EXPORTS: registryTimeoutMs

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 8 modules
var core = __webpack_require__(6058);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/names.ts
var names = __webpack_require__(6455);
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 1 modules
var exec = __webpack_require__(1955);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/children.ts
var children = __webpack_require__(1700);
;// CONCATENATED MODULE: ./src/log.ts

/**
 * Text from outside (a registry's answer, a tool's output, an image's label) made safe for the
 * log: a runner reads any line that starts with `::`, leading white space aside, as a workflow
 * command (`::set-output`, `::add-mask`, `::error`…). Such lines get a visible `| ` in front.
 */
function neutralise(text) {
    return text
        .split(/\r\n|\r|\n/)
        .map((line) => (/^\s*::/.test(line) ? `| ${line}` : line))
        .join('\n');
}
/** Every log line of the main step goes through here, so none can issue a workflow command. */
function info(text) {
    core/* info */.pq(neutralise(text));
}

;// CONCATENATED MODULE: ./src/tools.ts






/** The exit code of coreutils' and busybox's `timeout` when the time ran out. */
const TIMED_OUT = 124;
/**
 * The environment every child process gets: the runner's, less the action's own inputs.
 * INPUT_API_KEY holds the key; docker, the build and skopeo have no business seeing it.
 */
function childEnvironment(env = process.env) {
    const clean = {};
    for (const [name, value] of Object.entries(env)) {
        if (value === undefined || name.startsWith('INPUT_'))
            continue;
        clean[name] = value;
    }
    return clean;
}
/** Replaces every secret in `text` with ***. */
function scrub(text, secrets = []) {
    let result = text;
    for (const secret of secrets)
        if (secret)
            result = result.split(secret).join('***');
    return result;
}
/** Runs a tool and fails with its exit code and the end of its stderr when it fails. */
async function runTool(tool, args, options) {
    const run = await runToolAllowingFailure(tool, args, options);
    if (run.exitCode !== 0) {
        const tail = scrub(run.stderr.trim() || run.stdout.trim(), options.secrets)
            .split('\n')
            .slice(-15)
            .join('\n');
        const error = new errors/* ToolError */.v4(`${tool} ${args[0] ?? ''}`.trim(), run.exitCode, tail);
        throw /no space left on device/i.test(tail) ? fullDisk(error) : error;
    }
    return run;
}
async function runToolAllowingFailure(tool, args, options) {
    const secrets = options.secrets ?? [];
    // @actions/exec runs silent and this echoes each line, scrubbed: a tool that repeats a
    // credential in an error does not put it in the log, whatever the runner masks.
    const echo = (line) => {
        if (!options.silent)
            process.stdout.write(`${neutralise(scrub(line, secrets))}\n`);
    };
    if (!findOnPath(tool))
        throw new errors/* UserError */.yo(`Could not run \`${tool}\`: ${missingToolHint(tool)}`);
    if (!options.silent)
        echo(`[command]${tool} ${args.join(' ')}`);
    // @actions/exec cannot stop a child, so the `timeout` utility does it where the runner has one.
    const timeout = findOnPath('timeout');
    const [command, commandArgs] = timeout
        ? [timeout, ['-k', '10', String(options.timeoutSeconds), tool, ...args]]
        : [tool, args];
    let stdout = '';
    let stderr = '';
    const child = (0,children/* launch */.ql)(command, commandArgs);
    const exitCode = await exec/* exec */.m(child.command, child.args, {
        input: options.input,
        silent: true,
        ignoreReturnCode: true,
        env: { ...childEnvironment(), ...options.env },
        listeners: {
            stdout: (data) => (stdout += data.toString()),
            stderr: (data) => (stderr += data.toString()),
            stdline: echo,
            errline: echo,
        },
    })
        .finally(child.ended);
    if (timeout && exitCode === TIMED_OUT)
        throw new errors/* UserError */.yo(`\`${tool} ${args[0] ?? ''}\` did not finish within ${options.timeoutSeconds}s and was stopped.`);
    return { exitCode, stdout, stderr };
}
/** The tool's path when it is on PATH (or given as a path), else undefined. */
function findOnPath(tool, env = process.env) {
    const candidates = tool.includes('/')
        ? [tool]
        : (env.PATH ?? '')
            .split(external_node_path_.delimiter)
            .filter(Boolean)
            .map((dir) => external_node_path_.join(dir, tool));
    return candidates.find((candidate) => {
        try {
            external_node_fs_.accessSync(candidate, external_node_fs_.constants.X_OK);
            return external_node_fs_.statSync(candidate).isFile();
        }
        catch {
            return false;
        }
    });
}
function missingToolHint(tool) {
    switch (tool) {
        case 'skopeo':
            return 'skopeo is not installed on this runner. Install it first (Debian and Ubuntu: `apt-get install -y skopeo`; Alpine: `apk add skopeo`).';
        case 'docker':
            return 'the Docker CLI is not installed on this runner. Use a runner with Docker and the buildx plugin.';
        default:
            return `${tool} is not installed on this runner.`;
    }
}
/** A full disk named as such, with where the action writes, instead of a tool's last line. */
function fullDisk(error) {
    return new errors/* UserError */.yo(`\`${error.command}\` ran out of disk space (no space left on device). The build writes to the engine's data root and ` +
        "the hand-over to skopeo to this run's folder under RUNNER_TEMP: free space there (for example `docker system prune`) and run again. Nothing was pushed.", { cause: error });
}

;// CONCATENATED MODULE: ./src/buildx.ts






/** The longest job GitHub runs; a Forgejo job's own timeout usually ends a build sooner. */
const BUILD_TIMEOUT = 6 * 60 * 60;
/** The OCI labels that record where the image came from; the revision is what re-runs read. */
function provenanceLabels(inputs, env, now) {
    const labels = [`${names/* REVISION_LABEL */.P1}=${inputs.sha}`, `${names/* VERSION_LABEL */.Qu}=${inputs.version}`];
    if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY)
        labels.push(`${names/* SOURCE_LABEL */.Rc}=${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`);
    labels.push(`${names/* CREATED_LABEL */.Kh}=${now.toISOString()}`);
    return labels;
}
function buildPlan(inputs, output, env, now) {
    return {
        tags: [`${inputs.imageName}:${inputs.version}`, `${inputs.imageName}:${inputs.sha}`],
        // The user's labels come first so that the provenance labels cannot be overridden.
        labels: [...inputs.labels, ...provenanceLabels(inputs, env, now)],
        output,
    };
}
/** Loaded into the engine, the image's ID kept in this run's folder. */
function loadInto(runDirectory) {
    return { kind: 'load', iidFile: external_node_path_.join(runDirectory, 'image-id') };
}
/** The argv of `docker buildx build`: built here, checked by table tests, run by `build`. */
function buildArgs(inputs, plan) {
    const args = ['buildx', 'build', '--file', inputs.dockerfile];
    for (const label of plan.labels)
        args.push('--label', label);
    for (const arg of inputs.buildArgs)
        args.push('--build-arg', arg);
    if (inputs.target)
        args.push('--target', inputs.target);
    if (inputs.network)
        args.push('--network', inputs.network);
    if (plan.output.kind === 'load') {
        for (const tag of plan.tags)
            args.push('--tag', tag);
        args.push('--load', '--iidfile', plan.output.iidFile);
    }
    else {
        // Layers go out uncompressed: skopeo compresses them while it pushes, on every core, which
        // is quicker than BuildKit compressing them before they are even written out.
        // No attestation manifests (platform unknown/unknown): they are what made the user's
        // registry choke on Docker's own pushes. An engine's load never carries them.
        args.push('--output', `type=oci,tar=false,compression=uncompressed,${csvField(`dest=${plan.output.directory}`)}`);
        args.push('--provenance=false', '--sbom=false');
    }
    args.push(inputs.context);
    return args;
}
/** buildx reads `--output` as one CSV record: a field holding `,` or `"` is quoted. */
function csvField(field) {
    return /[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
/** Builds; returns the image ID when the image was loaded into the engine. */
async function build(inputs, plan) {
    await runTool('docker', buildArgs(inputs, plan), { timeoutSeconds: BUILD_TIMEOUT }).catch((error) => {
        throw explainBuildFailure(error);
    });
    if (plan.output.kind !== 'load')
        return undefined;
    const id = (await promises_.readFile(plan.output.iidFile, 'utf8')).trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(id))
        throw new errors/* UserError */.yo(`docker buildx wrote an unexpected image ID: ${JSON.stringify(id)}.`);
    return id;
}
/**
 * The build is the first docker command, so it is where a runner without buildx or without a
 * reachable engine shows: such failures are named, with what to install or start.
 */
function explainBuildFailure(error, env = process.env) {
    if (!(error instanceof errors/* ToolError */.v4))
        return error;
    if (/'buildx' is not a docker command|unknown command "buildx"|unknown flag: --file/.test(error.detail))
        return new errors/* UserError */.yo("The docker buildx plugin is missing. Install it: Debian and Ubuntu `apt-get install docker-buildx`, or Docker's `docker-buildx-plugin`.", { cause: error });
    if (/Cannot connect to the Docker daemon|error during connect|docker daemon is not running|connect: no such file or directory/i.test(error.detail))
        return new errors/* UserError */.yo(`The Docker engine is not reachable${env.DOCKER_HOST ? ` at DOCKER_HOST=${env.DOCKER_HOST}` : ''}: start dockerd, or give the job access to its socket. Nothing was pushed.`, { cause: error });
    return error;
}

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
;// CONCATENATED MODULE: ./src/inputs.ts





// Grammars from the OCI distribution spec (see the project's notes on the registry).
const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const SHA = /^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$/;
const HOST_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const REGISTRY = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::(\\d{1,5}))?$`);
const API_KEY = /^zak_[A-Za-z0-9]+$/;
const BUILD_ARG_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const NETWORK = /^(?:default|none|host)$/;
/**
 * Reads and checks every input before anything runs. All problems are gathered into one
 * InputError, each naming its input, so a workflow author fixes them in one go.
 */
function parseInputs(read, cwd = process.cwd()) {
    const problems = [];
    const problem = (input, what) => {
        problems.push(`\`${input}\` ${what}`);
    };
    const push = parseBoolean(read(names/* Input */.pd.Push), names/* Input */.pd.Push, problem, true);
    const insecureRegistry = parseBoolean(read(names/* Input */.pd.InsecureRegistry), names/* Input */.pd.InsecureRegistry, problem, false);
    const registry = read(names/* Input */.pd.Registry);
    checkRegistry(registry, problem);
    const imageName = read(names/* Input */.pd.ImageName);
    if (!imageName)
        problem(names/* Input */.pd.ImageName, 'is required (a repository such as `blumeops/devpi`).');
    else if (!NAME.test(imageName))
        problem(names/* Input */.pd.ImageName, `is not a valid repository name: ${quote(imageName)} (lower-case letters, digits and . _ - separators, components joined by /).`);
    else if (registry && imageName.split('/')[0] === registry)
        problem(names/* Input */.pd.ImageName, `must not include the registry: give ${quote(imageName.slice(registry.length + 1))} and set \`registry\`.`);
    else if (registry.length + 1 + imageName.length > 255)
        problem(names/* Input */.pd.ImageName, 'makes a reference longer than 255 characters with the registry.');
    const version = read(names/* Input */.pd.Version);
    checkTag(version, names/* Input */.pd.Version, 'is required (the version tag, such as `v1.0.0`).', problem);
    if (SHA.test(version))
        problem(names/* Input */.pd.Version, 'must not be a commit SHA (40 or 64 hex digits): those tags are the commit tags.');
    else if (version === 'latest')
        problem(names/* Input */.pd.Version, 'must not be `latest`: a version tag is never overwritten, so `latest` would keep its first image for good.');
    const rawSha = read(names/* Input */.pd.Sha);
    if (!rawSha)
        problem(names/* Input */.pd.Sha, 'is required: the commit SHA (defaults to `${{ github.sha }}`).');
    else if (!SHA.test(rawSha))
        problem(names/* Input */.pd.Sha, `is not a full commit SHA (40 or 64 hex digits): ${quote(rawSha)}.`);
    const sha = rawSha.toLowerCase();
    const username = read(names/* Input */.pd.Username);
    const apiKey = read(names/* Input */.pd.ApiKey);
    let credentials;
    if (apiKey && !API_KEY.test(apiKey))
        // Never echo the value: it may be a real secret of another kind.
        problem(names/* Input */.pd.ApiKey, 'is not a zot API key: it must start with `zak_` (a password is not accepted).');
    if (push && !apiKey)
        problem(names/* Input */.pd.ApiKey, 'is required when `push` is true (a zot API key, `zak_…`).');
    if (push && !username)
        problem(names/* Input */.pd.Username, 'is required when `push` is true (the zot identity that owns the key).');
    if (username && !/^[^\s:]+$/.test(username))
        problem(names/* Input */.pd.Username, 'must not contain white space or `:`.');
    if (username && apiKey && API_KEY.test(apiKey))
        credentials = { username, apiKey };
    // Without push, a username alone reads anonymously (a pull request gets no key).
    else if (!push && apiKey && !username)
        problem(names/* Input */.pd.Username, 'is needed with `api_key`: the zot identity that owns the key.');
    const context = read(names/* Input */.pd.Context);
    const dockerfileInput = read(names/* Input */.pd.Dockerfile) || 'Dockerfile';
    let dockerfile = '';
    if (!context)
        problem(names/* Input */.pd.Context, 'is required (the build context path).');
    else {
        const contextPath = external_node_path_.resolve(cwd, context);
        if (!isDirectory(contextPath))
            problem(names/* Input */.pd.Context, `is not a directory: ${quote(context)} (resolved to ${contextPath}).`);
        else {
            dockerfile = external_node_path_.resolve(contextPath, dockerfileInput);
            if (!isFile(dockerfile))
                problem(names/* Input */.pd.Dockerfile, `does not name a file: ${quote(dockerfileInput)} (relative to the context, resolved to ${dockerfile}).`);
        }
    }
    const buildArgs = parseKeyValueLines(read(names/* Input */.pd.BuildArgs), names/* Input */.pd.BuildArgs, problem);
    const labels = parseKeyValueLines(read(names/* Input */.pd.Labels), names/* Input */.pd.Labels, problem);
    const target = read(names/* Input */.pd.Target);
    if (target && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(target))
        problem(names/* Input */.pd.Target, `is not a build stage name: ${quote(target)}.`);
    const network = read(names/* Input */.pd.Network);
    if (network && !NETWORK.test(network))
        problem(names/* Input */.pd.Network, `must be \`default\`, \`none\` or \`host\`, not ${quote(network)}.`);
    const warningDaysInput = read(names/* Input */.pd.KeyExpiryWarningDays);
    const keyExpiryWarningDays = warningDaysInput === '' ? 14 : Number(warningDaysInput);
    if (!/^\d+$/.test(warningDaysInput || '14') || keyExpiryWarningDays > 3650)
        problem(names/* Input */.pd.KeyExpiryWarningDays, `must be a whole number of days, not ${quote(warningDaysInput)}.`);
    const skopeoUrl = read(names/* Input */.pd.SkopeoDownloadUrl);
    const skopeoSha256 = read(names/* Input */.pd.SkopeoSha256).toLowerCase();
    let skopeoDownload;
    if (skopeoUrl || skopeoSha256) {
        if (!skopeoUrl)
            problem(names/* Input */.pd.SkopeoDownloadUrl, 'is needed with `skopeo_sha256`.');
        else if (!/^https?:\/\/[^\s]+$/.test(skopeoUrl))
            problem(names/* Input */.pd.SkopeoDownloadUrl, `is not an http(s) URL: ${quote(skopeoUrl)}.`);
        if (!/^[0-9a-f]{64}$/.test(skopeoSha256))
            problem(names/* Input */.pd.SkopeoSha256, 'must be the SHA-256 of the download, 64 hex digits.');
        if (problems.length === 0)
            skopeoDownload = { url: skopeoUrl, sha256: skopeoSha256 };
    }
    // A key in any other input would reach the build's argv, the image (labels are public) or
    // the log: refused, naming the input, never the value.
    if (apiKey)
        for (const input of Object.values(names/* Input */.pd))
            if (input !== names/* Input */.pd.ApiKey && read(input).includes(apiKey))
                problem(input, 'contains the API key: it would end up in the build, the image or the log. Pass it only as `api_key`.');
    // Another problem may quote an input that holds the key: never the key itself.
    if (problems.length > 0)
        throw new errors/* InputError */.dz(apiKey ? problems.map((p) => p.split(apiKey).join('***')) : problems);
    return {
        context: external_node_path_.resolve(cwd, context),
        dockerfile,
        imageName,
        version,
        registry,
        credentials,
        sha,
        buildArgs,
        labels,
        target,
        network,
        push,
        insecureRegistry,
        keyExpiryWarningDays,
        skopeoDownload,
    };
}
function parseBoolean(value, input, problem, fallback) {
    if (value === '')
        return fallback;
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (['false', 'False', 'FALSE'].includes(value))
        return false;
    problem(input, `must be \`true\` or \`false\`, not ${quote(value)}.`);
    return fallback;
}
function checkRegistry(registry, problem) {
    if (!registry) {
        problem(names/* Input */.pd.Registry, 'is required (`host[:port]`).');
        return;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(registry)) {
        problem(names/* Input */.pd.Registry, `must be \`host[:port]\` without a scheme: ${quote(registry.replace(/\/\/[^/@]*@/, '//…@'))}.`);
        return;
    }
    if (registry.includes('@')) {
        problem(names/* Input */.pd.Registry, 'must not hold credentials (`user:password@`): use `username` and `api_key`.');
        return;
    }
    if (registry.includes('/')) {
        problem(names/* Input */.pd.Registry, `must be \`host[:port]\` without a path: ${quote(registry)}.`);
        return;
    }
    const match = REGISTRY.exec(registry);
    if (!match) {
        problem(names/* Input */.pd.Registry, `is not a host name with an optional port: ${quote(registry)}.`);
        return;
    }
    const bracketed = /^\[(.*)\]/.exec(registry);
    if (bracketed && !external_node_net_.isIPv6(bracketed[1])) {
        problem(names/* Input */.pd.Registry, `has an invalid IPv6 address: ${quote(registry)}.`);
        return;
    }
    if (match[1] !== undefined) {
        const port = Number(match[1]);
        if (port < 1 || port > 65535)
            problem(names/* Input */.pd.Registry, `has a port out of range: ${match[1]}.`);
    }
}
function checkTag(tag, input, whenEmpty, problem) {
    if (!tag)
        problem(input, whenEmpty);
    else if (tag.length > 128)
        problem(input, `is longer than 128 characters (${tag.length}).`);
    else if (!TAG.test(tag))
        problem(input, `is not a valid tag: ${quote(tag)} (letters, digits, _ . -, not starting with . or -).`);
}
function parseKeyValueLines(value, input, problem) {
    const pairs = [];
    value.split(/\r?\n/).forEach((raw, index) => {
        const line = raw.trim();
        if (!line)
            return;
        const eq = line.indexOf('=');
        const key = eq > 0 ? line.slice(0, eq) : '';
        if (!key || !BUILD_ARG_KEY.test(key))
            problem(input, `line ${index + 1} is not \`KEY=VALUE\`: ${quote(eq > 0 ? key + '=…' : line)}.`);
        else
            pairs.push(line);
    });
    return pairs;
}
function isDirectory(p) {
    try {
        return external_node_fs_.statSync(p).isDirectory();
    }
    catch {
        return false;
    }
}
function isFile(p) {
    try {
        return external_node_fs_.statSync(p).isFile();
    }
    catch {
        return false;
    }
}
/** Quotes a value for a message, making control characters visible. */
function quote(value) {
    return JSON.stringify(value);
}

;// CONCATENATED MODULE: ./src/publication.ts

/**
 * The whole re-run policy in one place. A tag that exists is never written again; an image
 * whose commit tag exists is never rebuilt; a version tag from another commit is refused.
 */
function decide(publication, tags) {
    const { version, commit } = publication;
    if (version.exists && version.revision !== tags.sha)
        throw refusal(version, tags);
    if (commit.exists && commit.revision !== tags.sha)
        throw foreignCommitTag(commit, tags);
    if (version.exists) {
        // Two runs of this commit interleaved on a registry that lets tags be overwritten, each
        // with its own image: a published version tag stays, the commit tag follows it.
        if (commit.exists && commit.digest !== version.digest)
            return {
                kind: 'tag-commit',
                digest: version.digest,
                repair: true,
                reason: `The commit tag holds another image of this commit (${commit.digest}) than ${tags.version} (${version.digest}): two runs interleaved on a registry that lets tags be overwritten. ` +
                    `Pointing the commit tag at ${tags.version}'s image, no build.`,
            };
        if (commit.exists)
            return {
                kind: 'nothing',
                digest: version.digest,
                reason: `${tags.version} and the commit tag already exist and were built from this commit: nothing to write.`,
            };
        return {
            kind: 'tag-commit',
            digest: version.digest,
            reason: `${tags.version} was built from this commit but the commit tag is missing: adding it, no build.`,
        };
    }
    if (commit.exists)
        return {
            kind: 'tag-version',
            digest: commit.digest,
            reason: `The commit tag exists but ${tags.version} does not (an earlier run stopped half-way): pointing ${tags.version} at it, no build.`,
        };
    return {
        kind: 'build-and-push',
        reason: `Neither ${tags.version} nor the commit tag exists: building and pushing both.`,
    };
}
function foreignCommitTag(commit, tags) {
    const origin = commit.revision
        ? `was built from commit ${commit.revision}`
        : 'carries no org.opencontainers.image.revision label';
    return new errors/* UserError */.yo(`${tags.image}:${tags.sha} already exists (${commit.digest}) and ${origin}, not from ${tags.sha}: a commit tag is never overwritten. ` +
        'Find out what pushed it; delete it in the registry if it is wrong, then run again.');
}
function refusal(version, tags) {
    const origin = version.revision
        ? `was built from commit ${version.revision}`
        : 'carries no org.opencontainers.image.revision label (it was not pushed by this action)';
    return new errors/* UserError */.yo(`${tags.image}:${tags.version} already exists (${version.digest}) and ${origin}, not from ${tags.sha}. ` +
        'Published versions are never overwritten: bump `version` (for example a new git tag) and run again.');
}

;// CONCATENATED MODULE: ./src/registry-state.ts


// What the registry holds for this run's two tags, read for the re-run table.
/**
 * Both tags at once, each with its image's revision label: the manifests (1 request each), and
 * the configuration when a tag exists (once, when both tags hold one image), whatever the number
 * of tags in the repository.
 */
async function readPublication(registry, inputs) {
    const [version, commit] = await Promise.all([
        readTag(registry, inputs.imageName, inputs.version),
        readTag(registry, inputs.imageName, inputs.sha),
    ]);
    for (const [tag, state] of [
        [inputs.version, version],
        [inputs.sha, commit],
    ])
        info(`${tag}: ${state.exists ? `${state.digest}, built from ${state.revision ?? 'an unknown commit'}` : 'absent'}`);
    return { version, commit };
}
/** A tag's digest and the commit its image was built from (its revision label). */
async function readTag(registry, name, tag) {
    const image = await registry.image(name, tag);
    return image.exists
        ? { exists: true, digest: image.digest, revision: image.labels[names/* REVISION_LABEL */.P1] }
        : image;
}

;// CONCATENATED MODULE: ./src/engine.ts


/** The Docker API version skopeo's `docker-daemon:` transport speaks (containers/image pins it). */
const SKOPEO_DAEMON_API = '1.22';
const PROBE_TIMEOUT = 60;
/** The current builder's driver and the engine's image store: two docker commands, at once. */
async function probeBuilder() {
    const [inspect, info] = await Promise.all([
        runTool('docker', ['buildx', 'inspect'], { silent: true, timeoutSeconds: PROBE_TIMEOUT }),
        runTool('docker', ['info', '--format', '{{json .DriverStatus}}'], {
            silent: true,
            timeoutSeconds: PROBE_TIMEOUT,
        }),
    ]);
    return { driver: parseDriver(inspect.stdout), containerdStore: usesContainerdStore(info.stdout) };
}
/** The engine's endpoint and the oldest API it accepts: two docker commands, at once. */
async function probeEndpoint() {
    const [context, version] = await Promise.all([
        runTool('docker', ['context', 'inspect', '--format', '{{json .}}'], {
            silent: true,
            timeoutSeconds: PROBE_TIMEOUT,
        }),
        runTool('docker', ['version', '--format', '{{.Server.MinAPIVersion}}'], {
            silent: true,
            timeoutSeconds: PROBE_TIMEOUT,
        }),
    ]);
    return { ...parseContext(context.stdout, process.env), minApiVersion: version.stdout.trim() };
}
/** `Driver: docker-container` from `docker buildx inspect`. */
function parseDriver(inspectOutput) {
    const driver = /^Driver:\s*(\S+)/m.exec(inspectOutput)?.[1];
    if (!driver)
        throw new errors/* UserError */.yo(`Could not tell which driver the buildx builder uses: \`docker buildx inspect\` said ${JSON.stringify(inspectOutput.slice(0, 200))}.`);
    return driver;
}
/** `docker info`'s DriverStatus names containerd's snapshotter when the containerd image store is on. */
function usesContainerdStore(driverStatusJson) {
    try {
        const status = JSON.parse(driverStatusJson);
        return (status ?? []).some(([key, value]) => key === 'driver-type' && value.startsWith('io.containerd.snapshotter'));
    }
    catch {
        return false;
    }
}
function parseContext(contextJson, env) {
    const context = JSON.parse(contextJson);
    const host = context.Endpoints?.docker?.Host;
    if (!host)
        throw new errors/* UserError */.yo('The current docker context names no engine endpoint.');
    const tls = Boolean(env.DOCKER_TLS_VERIFY) || Object.keys(context.TLSMaterial ?? {}).length > 0;
    return { host, tls };
}
/**
 * The builder exports an OCI layout itself (any driver but `docker`, or the docker driver on the
 * containerd image store): skopeo then pushes from that folder and the engine is not involved.
 */
function canExportOci(builder) {
    return builder.driver !== 'docker' || builder.containerdStore;
}
/**
 * Where skopeo's `docker-daemon:` transport can read this engine, in the form skopeo takes
 * (`unix://…`, or `http://host:port` for plain tcp); or why it cannot.
 */
function skopeoDaemonAccess(endpoint) {
    const { host, tls, minApiVersion } = endpoint;
    if (tls)
        return { why: `the engine at ${host} needs TLS, and skopeo would need its client certificates` };
    if (compareApiVersions(minApiVersion, SKOPEO_DAEMON_API) > 0)
        return {
            why: `the engine at ${host} refuses Docker API versions below ${minApiVersion}, and skopeo's docker-daemon transport speaks ${SKOPEO_DAEMON_API}`,
        };
    if (host.startsWith('unix://'))
        return { host };
    if (host.startsWith('tcp://'))
        return { host: `http://${host.slice('tcp://'.length)}` };
    return { why: `skopeo cannot reach an engine at ${host}` };
}
/** Compares `1.24` with `1.22` numerically; an unreadable version counts as newer than any. */
function compareApiVersions(a, b) {
    const parse = (v) => (/^\d+\.\d+$/.test(v) ? v.split('.').map(Number) : undefined);
    const [x, y] = [parse(a), parse(b)];
    if (!x || !y)
        return x ? -1 : y ? 1 : 0;
    return x[0] !== y[0] ? Math.sign(x[0] - y[0]) : Math.sign(x[1] - y[1]);
}

;// CONCATENATED MODULE: ./src/hand-over.ts






/** `docker save` of a large image over a slow sidecar link: bounded like the build, generously. */
const SAVE_TIMEOUT = 60 * 60;
/**
 * Builds the image and hands it to skopeo the fastest way this builder and engine allow,
 * saying which in the log:
 *   - an OCI layout written by the builder itself (any driver but `docker`, or the docker driver
 *     on the containerd image store): no load into the engine, no export out of it;
 *   - else the engine's image, read by skopeo's `docker-daemon:` transport where it can speak
 *     the engine's API (Docker 24 and older, not over TLS);
 *   - else `docker save` into this run's folder and `docker-archive:` (Docker 25 and later
 *     refuse skopeo's API version; a TLS endpoint would need skopeo to have the certificates).
 */
async function buildAndHandOver(inputs, runDirectory, timeline) {
    return timeline.phase('Build', async () => {
        const builder = await probeBuilder().catch((error) => {
            throw explainBuildFailure(error);
        });
        const plan = (output) => buildPlan(inputs, output, process.env, new Date());
        if (canExportOci(builder)) {
            const directory = external_node_path_.join(runDirectory, 'oci-layout');
            info(`Hand-over (oci-layout): the builder writes an OCI layout that skopeo pushes (${builder.driver} driver${builder.driver === 'docker' ? ' on the containerd image store' : ''}); nothing is loaded into the engine.`);
            await build(inputs, plan({ kind: 'oci-layout', directory }));
            return { kind: 'oci-layout', reference: `oci:${directory}`, options: [], files: [directory] };
        }
        // The engine's endpoint is asked while the image builds: the choice below needs it only after.
        const endpoint = probeEndpoint();
        endpoint.catch(() => undefined);
        const imageId = (await build(inputs, plan(loadInto(runDirectory))));
        const access = skopeoDaemonAccess(await endpoint);
        if ('host' in access) {
            info(`Hand-over (engine-daemon): skopeo reads the image from the engine at ${access.host} (the docker driver on the classic image store cannot write an OCI layout).`);
            return {
                kind: 'engine-daemon',
                reference: `docker-daemon:${imageId}`,
                options: ['--src-daemon-host', access.host],
                files: [],
            };
        }
        info(`Hand-over (engine-archive): \`docker save\` into this run's folder, then skopeo reads the archive (the docker driver on the classic image store cannot write an OCI layout; ${access.why}).`);
        const archive = external_node_path_.join(runDirectory, 'image.tar');
        await runTool('docker', ['save', '--output', archive, imageId], { timeoutSeconds: SAVE_TIMEOUT });
        return { kind: 'engine-archive', reference: `docker-archive:${archive}`, options: [], files: [archive] };
    });
}
/** Deletes what the hand-over wrote, as soon as the push is over (the post step would, later). */
async function discard(handOver) {
    await Promise.all(handOver.files.map((file) => promises_.rm(file, { recursive: true, force: true })));
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/skopeo-install.ts







/**
 * Makes sure `skopeo` is on PATH: the runner's own, else one from the tool cache, else one
 * downloaded from `skopeo_download_url`, checked against `skopeo_sha256` before anything
 * runs it, and cached so that the next job on this runner does not download it again.
 */
async function ensureSkopeo(download) {
    if (findOnPath('skopeo'))
        return;
    if (!download)
        throw new errors/* UserError */.yo('skopeo is not installed on this runner. Install it first (Debian and Ubuntu: `apt-get install -y skopeo`; Alpine: `apk add skopeo`), ' +
            'or set `skopeo_download_url` and `skopeo_sha256` to a skopeo binary or .tar.gz this action may download.');
    // The checksum names the build: one cache entry for each binary the workflow pins.
    const version = `0.0.0-sha256-${download.sha256.slice(0, 16)}`;
    let directory = await findInCache(version);
    if (directory)
        info(`skopeo from the tool cache: ${directory}`);
    else
        directory = await downloadAndCache(download, version);
    core/* addPath */.fM(directory);
}
/** Loaded only when skopeo has to come from the cache or a download: it costs start-up time. */
const toolCache = () => __webpack_require__.e(/* import() */ 805).then(__webpack_require__.bind(__webpack_require__, 9805));
async function findInCache(version) {
    const tc = await toolCache();
    try {
        return tc.find('skopeo', version);
    }
    catch {
        return '';
    }
}
async function downloadAndCache(download, version) {
    const tc = await toolCache();
    info(`Downloading skopeo from ${download.url}`);
    let file;
    try {
        file = await tc.downloadTool(download.url);
    }
    catch (error) {
        const status = error instanceof tc.HTTPError ? ` (HTTP ${error.httpStatusCode})` : '';
        throw new errors/* UserError */.yo(`Could not download skopeo from ${download.url}${status}: ${(0,errors/* messageOf */.bD)(error)}`, {
            cause: error,
        });
    }
    const actual = (0,external_node_crypto_.createHash)('sha256').update(external_node_fs_.readFileSync(file)).digest('hex');
    if (actual !== download.sha256) {
        external_node_fs_.rmSync(file, { force: true });
        throw new errors/* UserError */.yo(`The skopeo download from ${download.url} has SHA-256 ${actual}, not ${download.sha256} (\`skopeo_sha256\`): refusing to run it. ` +
            'Check the URL and the checksum.');
    }
    let binary = file;
    if (/\.(tar\.gz|tgz)$/.test(new URL(download.url).pathname)) {
        const extracted = await tc.extractTar(file);
        const found = ['skopeo', 'bin/skopeo', 'usr/bin/skopeo']
            .map((candidate) => external_node_path_.join(extracted, candidate))
            .find((candidate) => external_node_fs_.existsSync(candidate));
        if (!found)
            throw new errors/* UserError */.yo(`The archive from ${download.url} holds no skopeo (looked at skopeo, bin/skopeo, usr/bin/skopeo).`);
        binary = found;
    }
    external_node_fs_.chmodSync(binary, 0o755);
    const directory = await tc.cacheFile(binary, 'skopeo', 'skopeo', version);
    info(`skopeo cached in ${directory}`);
    return directory;
}

;// CONCATENATED MODULE: ./src/report.ts



function versionRef(tags) {
    return `${tags.image}:${tags.version}`;
}
function shaRef(tags) {
    return `${tags.image}:${tags.sha}`;
}
/** The references are known from the inputs: set them first, so a failure still reports them. */
function setReferenceOutputs(tags) {
    core/* setOutput */.uH(names/* Output */.k7.Image, tags.image);
    core/* setOutput */.uH(names/* Output */.k7.VersionRef, versionRef(tags));
    core/* setOutput */.uH(names/* Output */.k7.ShaRef, shaRef(tags));
}
function setResultOutputs(result, digest) {
    if (digest)
        core/* setOutput */.uH(names/* Output */.k7.Digest, digest);
    core/* setOutput */.uH(names/* Output */.k7.Result, result);
}
/**
 * The run's result where every runner's users see it: the job summary (GitHub shows it) and a
 * plain block at the end of the log (Forgejo's web UI shows no summary and no annotations).
 */
async function report(result) {
    info(resultBlock(result));
    await writeSummary(result);
}
/** The result as plain lines, to read in a raw log: no markup, no workflow commands. */
function resultBlock(report) {
    const { tags } = report;
    const rows = [
        ['version', versionRef(tags)],
        ['commit', shaRef(tags)],
    ];
    if (report.digest)
        rows.push(['digest', report.digest]);
    rows.push(['result', report.result ?? 'not published']);
    const [first, ...rest] = report.detail.split('\n');
    rows.push([report.result ? 'why' : 'stopped', first], ...rest.map((line) => ['', line]));
    if (report.phases.length > 0)
        rows.push(['phases', report.phases.map((phase) => `${phase.name} ${seconds(phase.ms)}`).join(', ')]);
    const heading = `build-push-image: ${versionRef(tags)} ${report.result ?? 'not published'}`;
    return neutralise([heading, ...rows.map(([name, value]) => `  ${name.padEnd(8)} ${value}`.trimEnd())].join('\n'));
}
function seconds(ms) {
    return `${(ms / 1000).toFixed(1)} s`;
}
/**
 * The job summary (when the runner offers one): what was written or found, the digest, the
 * result, the commit and how long each phase took; or, when the run stopped, why and what to do.
 */
async function writeSummary(report) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    core/* summary */.z.addRaw(summaryMarkdown(report), true);
    await core/* summary */.z.write();
}
function summaryMarkdown(report) {
    const { tags } = report;
    const lines = [];
    if (report.result) {
        lines.push(`### ${tags.image}:${tags.version}: ${report.result}`, '');
        lines.push('| | |', '|---|---|');
        lines.push(`| Version | \`${versionRef(tags)}\` |`);
        lines.push(`| Commit | \`${shaRef(tags)}\` |`);
        if (report.digest)
            lines.push(`| Digest | \`${report.digest}\` |`);
        lines.push(`| Result | \`${report.result}\` |`, '');
        lines.push(report.detail, '');
    }
    else {
        lines.push(`### ${tags.image}:${tags.version}: not published`, '');
        lines.push(report.detail
            .split('\n')
            .map((line) => `> ${line}`)
            .join('\n'), '');
        lines.push(`Commit \`${tags.sha}\`.`, '');
    }
    if (report.phases.length > 0) {
        lines.push('| Phase | Time |', '|---|---:|');
        for (const phase of report.phases)
            lines.push(`| ${phase.name} | ${seconds(phase.ms)} |`);
        lines.push('');
    }
    return lines.join('\n');
}

;// CONCATENATED MODULE: ./src/retry.ts
const defaultRetryPolicy = {
    attempts: 4,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
/**
 * Runs `attempt` until it is done or the attempts run out; `giveUp` turns the last reason
 * into the error thrown. Waits grow exponentially; a server's Retry-After is honoured but
 * bounded, so a job cannot hang on a registry that asks for patience forever.
 */
async function withRetries(policy, attempt, giveUp, onRetry) {
    let reason = '';
    for (let n = 1; n <= policy.attempts; n++) {
        const outcome = await attempt();
        if (outcome.done)
            return outcome.value;
        reason = outcome.reason;
        if (n === policy.attempts)
            break;
        const backoff = policy.baseDelayMs * 2 ** (n - 1);
        const wait = Math.min(outcome.retryAfterMs ?? backoff, policy.maxDelayMs);
        onRetry?.(reason, wait);
        await policy.sleep(wait);
    }
    throw giveUp(reason, policy.attempts);
}
/** Reads a Retry-After header (seconds or an HTTP date) as milliseconds from now. */
function parseRetryAfter(value, now = Date.now()) {
    if (!value)
        return undefined;
    if (/^\d+$/.test(value.trim()))
        return Number(value.trim()) * 1000;
    // Anything else must be an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`), not a stray number.
    if (!/GMT$/.test(value.trim()))
        return undefined;
    const date = Date.parse(value);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}

;// CONCATENATED MODULE: ./src/skopeo.ts






/** No skopeo command may hang a job: each gets this long (a push over a slow tunnel included). */
const COMMAND_TIMEOUT = ['--command-timeout', '30m'];
/** The same bound from outside, a little later, in case skopeo itself stops answering. */
const PROCESS_TIMEOUT = 31 * 60;
function authFileIn(runDirectory) {
    return external_node_path_.join(runDirectory, 'auth.json');
}
function loginArgs(session, username) {
    const args = [
        'login',
        ...COMMAND_TIMEOUT,
        '--authfile',
        session.authFile,
        '--username',
        username,
        '--password-stdin',
    ];
    if (session.insecure)
        args.push('--tls-verify=false');
    args.push(session.registry);
    return args;
}
/** The options every `skopeo copy` of this action shares: a timeout, this run's auth file, retries. */
function copyArgs(session) {
    return ['copy', ...COMMAND_TIMEOUT, '--authfile', session.authFile, '--retry-times', '3'];
}
/** `skopeo copy` of the built image to a tag, recording the pushed digest. */
function pushArgs(session, source, destination, digestFile) {
    return [
        ...copyArgs(session),
        '--digestfile',
        digestFile,
        ...source.options,
        ...(session.insecure ? ['--dest-tls-verify=false'] : []),
        source.reference,
        `docker://${destination}`,
    ];
}
/**
 * `skopeo copy` of a manifest already in the registry to another tag of the same repository:
 * the blobs are there, so nothing is uploaded but the manifest, byte for byte.
 */
function tagInRegistryArgs(session, source, destination) {
    return [
        ...copyArgs(session),
        '--preserve-digests',
        ...(session.insecure ? ['--src-tls-verify=false', '--dest-tls-verify=false'] : []),
        `docker://${source}`,
        `docker://${destination}`,
    ];
}
async function login(session, credentials) {
    await runTool('skopeo', loginArgs(session, credentials.username), {
        input: Buffer.from(credentials.apiKey),
        secrets: session.secrets,
        // It runs while the build prints; its one line of output would only interleave.
        silent: true,
        timeoutSeconds: PROCESS_TIMEOUT,
    });
    await promises_.chmod(session.authFile, 0o600);
}
/**
 * Pushes the built image to `destination` and returns the digest the registry holds. Any
 * temporary file skopeo writes goes to this run's folder, which the post step removes.
 */
async function pushImage(session, source, destination, runDirectory) {
    const digestFile = external_node_path_.join(runDirectory, 'pushed-digest');
    await copy(session, pushArgs(session, source, destination, digestFile), destination, {
        TMPDIR: runDirectory,
    });
    const digest = (await promises_.readFile(digestFile, 'utf8')).trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
        throw new errors/* UserError */.yo(`skopeo reported an unexpected digest for ${destination}: ${JSON.stringify(digest)}.`);
    return digest;
}
async function tagInRegistry(session, source, destination) {
    await copy(session, tagInRegistryArgs(session, source, destination), destination);
}
/** Failures a registry gets over: 5xx, 429, a dropped or timed-out connection. */
function isTransientCopyFailure(detail) {
    return /HTTP status: (5\d\d|429)|\b(5\d\d|429) \([A-Za-z ]+\)|too many requests|connection reset|connection refused|unexpected EOF|i\/o timeout|TLS handshake timeout/i.test(detail);
}
/**
 * One `skopeo copy`, tried again while it fails in a way the registry gets over (skopeo's own
 * --retry-times leaves some of those, a 500 on a manifest among them). A refused write is
 * explained at once; the last failure is shown as skopeo said it.
 */
async function copy(session, args, destination, env, retry = { ...defaultRetryPolicy, attempts: 3 }) {
    let last;
    await withRetries(retry, async () => {
        try {
            await runTool('skopeo', args, { secrets: session.secrets, timeoutSeconds: PROCESS_TIMEOUT, env });
            return { done: true, value: undefined };
        }
        catch (error) {
            last = explainRefusedWrite(error, destination);
            if (last instanceof errors/* ToolError */.v4 && isTransientCopyFailure(last.detail))
                return { done: false, reason: last.detail.split('\n').at(-1) ?? '' };
            throw last;
        }
    }, () => (last instanceof Error ? last : new errors/* UserError */.yo(String(last))), (reason, waitMs) => info(`skopeo copy failed (${reason}); trying again in ${waitMs / 1000}s`));
}
/**
 * A 403 on a write is the registry's policy speaking, most often zot refusing to overwrite a
 * tag for an identity without `update`: say so, with the registry's own words.
 */
function explainRefusedWrite(error, destination) {
    if (!(error instanceof errors/* ToolError */.v4))
        return error;
    // skopeo 1.9.3 words zot's 403 DENIED as a bare `…: denied` at the end of its line, or
    // `…: denied: <message>`; other clients and registries say 403 or forbidden.
    const denied = /: denied(?:: ([^\n"]*))?(?:"|$)|\b403\b|forbidden/im.exec(error.detail);
    if (!denied)
        return error;
    const registrySays = denied[1] ? `: ${denied[1].trim()}` : '';
    return new errors/* TagTaken */.qD(`The registry refused to write ${destination} (403 DENIED${registrySays}). ` +
        "This usually means the tag already exists and the CI identity lacks zot's `update` permission, as it should: " +
        'another run wrote it first. Nothing was overwritten; look at what the tag holds now.', { cause: error });
}

;// CONCATENATED MODULE: ./src/publish.ts









/** How many times a run decides what to write, when other runs keep taking its tags first. */
const MAX_DECISIONS = 4;
/**
 * Carries out the plan; when another run takes a tag first, reads the registry again
 * (`decideAgain`) and carries out the new plan. The other run's image may be this commit's
 * (two re-runs of one commit), so the run converges instead of failing, and never rebuilds.
 */
async function publishConverging(plan, decideAgain, context) {
    // One skopeo login serves every plan this run carries out.
    let session;
    const logInOnce = () => (session ??= logIn(context.inputs, context.runDirectory));
    for (let decision = 1;; decision++) {
        try {
            return { ...(await publish(plan, context, logInOnce)), reason: plan.reason };
        }
        catch (error) {
            if (!(error instanceof errors/* TagTaken */.qD) || decision === MAX_DECISIONS)
                throw error;
            info(`${error.message.split('. ')[0]}. Reading the registry again.`);
            const next = await decideAgain();
            // A plan that would build, or the same plan again (the registry did not move: a policy
            // refused the write), is not followed: the refusal stands.
            const same = next.kind === plan.kind && JSON.stringify(next) === JSON.stringify(plan);
            if (next.kind === 'build-and-push' || same)
                throw error;
            plan = next;
            info(plan.reason);
        }
    }
}
/**
 * Carries out a plan: only what the registry lacks is written, the commit tag always before
 * the version tag, and nothing is built when an image for this commit is already there.
 */
async function publish(plan, context, logInOnce) {
    const { inputs, tags, runDirectory, timeline } = context;
    if (plan.kind === 'nothing')
        return { result: names/* Result */.Q7.AlreadyPublished, digest: plan.digest };
    // skopeo comes first (from PATH, the tool cache or a download), then logs in while the
    // image builds; the first push waits for it. A refusal or a re-run never gets this far.
    await ensureSkopeo(inputs.skopeoDownload);
    const loggedIn = logInOnce();
    loggedIn.catch(() => undefined);
    switch (plan.kind) {
        case 'tag-commit':
            await timeline.phase('Push the commit tag', async () => {
                const session = await loggedIn;
                await tagInRegistry(session, `${tags.image}@${plan.digest}`, shaRef(tags));
                // A repair means runs interleaved: the other may still be writing.
                if (plan.repair)
                    await proveTags(plan.digest, session, context, { wroteVersion: false, interleaved: true });
            });
            return { result: names/* Result */.Q7.Completed, digest: plan.digest };
        case 'tag-version':
            return { result: names/* Result */.Q7.Completed, digest: await pushVersionTag(plan.digest, await loggedIn, context) };
        case 'build-and-push': {
            const handOver = await buildAndHandOver(inputs, runDirectory, timeline);
            const digest = await timeline
                .phase('Push the commit tag', async () => {
                // A commit tag is never overwritten: another run of this commit may have pushed it
                // while this one built. Then the registry is read again and its image is used.
                const meanwhile = await readTag(context.registry, inputs.imageName, inputs.sha);
                if (meanwhile.exists)
                    throw new errors/* TagTaken */.qD(`${shaRef(tags)} was pushed by another run while this one was building (${meanwhile.digest}); it was left as it is.`);
                return pushImage(await loggedIn, handOver, shaRef(tags), runDirectory);
            })
                .finally(() => discard(handOver));
            const session = await loggedIn;
            // Reported now, so that a failure of the version push still says what was written.
            core/* setOutput */.uH(names/* Output */.k7.Digest, digest);
            return { result: names/* Result */.Q7.Pushed, digest: await pushVersionTag(digest, session, context) };
        }
    }
}
/** Hands the key to skopeo on stdin; skopeo keeps it in this run's own 0600 auth file. */
async function logIn(inputs, runDirectory) {
    if (!inputs.credentials)
        throw new errors/* UserError */.yo('Pushing needs `username` and `api_key`.');
    const session = {
        registry: inputs.registry,
        insecure: inputs.insecureRegistry,
        authFile: authFileIn(runDirectory),
        secrets: [inputs.credentials.apiKey],
    };
    await login(session, inputs.credentials);
    info(`skopeo logged in to ${inputs.registry} as ${inputs.credentials.username}.`);
    return session;
}
/**
 * The version tag is written last, as a copy inside the registry of the image the commit tag
 * holds, after a last look that it is still free; then both tags are proved to name one image.
 * Returns the digest published.
 */
async function pushVersionTag(digest, session, context) {
    const { inputs, tags, registry, timeline } = context;
    return timeline.phase('Push the version tag', async () => {
        const [version, commit] = await Promise.all([
            registry.tag(inputs.imageName, inputs.version),
            registry.tag(inputs.imageName, inputs.sha),
        ]);
        if (version.exists) {
            // A registry whose HEAD and GET disagree must not send the run after a tag that is not there.
            if (!(await readTag(registry, inputs.imageName, inputs.version)).exists)
                throw new errors/* RegistryError */.gl(`The registry contradicts itself: a HEAD of ${versionRef(tags)} answers 200 (${version.digest}) but a GET finds no such manifest. ` +
                    `Nothing more was written; this commit's image is at ${shaRef(tags)}. Check the registry, then run the job again.`);
            throw new errors/* TagTaken */.qD(`${versionRef(tags)} was pushed by another run while this one was working (${version.digest}); it was left as it is. ` +
                `This commit's image is at ${shaRef(tags)}. Serialise the workflow with a \`concurrency:\` group.`);
        }
        const chosen = await imageToPublish(digest, commit, context);
        await tagInRegistry(session, `${tags.image}@${chosen}`, versionRef(tags));
        return proveTags(chosen, session, context, { wroteVersion: true, interleaved: chosen !== digest });
    });
}
/**
 * The commit tag decides which image of this commit is published. Where the registry lets
 * tags be overwritten, another run of this commit may have pushed its own image there after
 * this one did: publishing that one lets both runs publish the same image.
 */
async function imageToPublish(digest, commit, context) {
    if (!commit.exists || commit.digest === digest)
        return digest;
    await requireThisCommit(commit.digest, digest, context);
    info(`${shaRef(context.tags)} holds another image of this commit (${commit.digest}), pushed by another run at the same time ` +
        '(this registry lets tags be overwritten): the commit tag decides, publishing that one.');
    return commit.digest;
}
/** How long a run that saw another run of its commit interleave waits before its last look. */
const SETTLE_MS = 2000;
/**
 * After a write: the version tag must hold `digest` (else another run wrote it meanwhile and
 * the registry is read again), and so must the commit tag. Where another run of this commit
 * pushed the commit tag after this run chose its image, that image is the one published: the
 * version tag this run has just written gives way to it (a version tag this run did not write
 * never does). An image of another commit is never used. Once runs have interleaved, the other
 * may still be writing what it decided before: the run waits a moment and looks again.
 * Returns the digest both tags name.
 */
async function proveTags(digest, session, context, { wroteVersion, interleaved }) {
    const { inputs, tags, registry } = context;
    const bothName = async (published) => {
        const [version, commit] = await Promise.all([
            registry.tag(inputs.imageName, inputs.version),
            registry.tag(inputs.imageName, inputs.sha),
        ]);
        if (!version.exists || version.digest !== published)
            throw new errors/* TagTaken */.qD(`${versionRef(tags)} points at ${version.exists ? version.digest : 'nothing'} after the push, not at ${published}: another run wrote it at the same time (this registry lets tags be overwritten).`);
        return commit;
    };
    let commit = await bothName(digest);
    if (commit.exists && commit.digest !== digest) {
        if (!wroteVersion)
            throw new errors/* TagTaken */.qD(`${shaRef(tags)} moved to ${commit.digest} while this run pointed it at ${digest}.`);
        await requireThisCommit(commit.digest, digest, context);
        info(`${shaRef(tags)} now holds another image of this commit (${commit.digest}), pushed last by another run at the same time (this registry lets tags be overwritten): ` +
            `the commit tag decides, so ${versionRef(tags)} gives way to it.`);
        digest = commit.digest;
        await tagInRegistry(session, `${tags.image}@${digest}`, versionRef(tags));
        interleaved = true;
    }
    else if (!commit.exists) {
        info(`${shaRef(tags)} is gone (deleted meanwhile?): pushing it again.`);
        await tagInRegistry(session, `${tags.image}@${digest}`, shaRef(tags));
    }
    if (interleaved) {
        await context.sleep(SETTLE_MS);
        commit = await bothName(digest);
        if (!commit.exists || commit.digest !== digest)
            throw new errors/* TagTaken */.qD(`${shaRef(tags)} moved again while the runs settled (${commit.exists ? commit.digest : 'gone'}).`);
    }
    info(`${versionRef(tags)} and ${shaRef(tags)} -> ${digest}`);
    return digest;
}
/** The commit tag's image must be of this commit; one of another commit is left as it is. */
async function requireThisCommit(found, ours, { inputs, tags, registry }) {
    const { revision } = await readTag(registry, inputs.imageName, inputs.sha);
    if (revision !== inputs.sha)
        throw new errors/* UserError */.yo(`${shaRef(tags)} was replaced by an image of ${revision ? `commit ${revision}` : 'no known commit'} (${found}) while this run published ${ours}; it was left as it is. Find out what pushed it.`);
}

// EXTERNAL MODULE: ./node_modules/undici/lib/dispatcher/agent.js
var agent = __webpack_require__(7405);
var agent_default = /*#__PURE__*/__webpack_require__.n(agent);
// EXTERNAL MODULE: ./node_modules/undici/lib/api/api-request.js
var api_request = __webpack_require__(4043);
var api_request_default = /*#__PURE__*/__webpack_require__.n(api_request);
// EXTERNAL MODULE: ./node_modules/undici/lib/interceptor/redirect.js
var redirect = __webpack_require__(1514);
var redirect_default = /*#__PURE__*/__webpack_require__.n(redirect);
;// CONCATENATED MODULE: ./src/http.ts



const Agent = (agent_default());
const redirectInterceptor = (redirect_default());
/** One request through `dispatcher` (undici's `request`, without its index). */
function request(dispatcher, url, options) {
    const { origin, pathname, search } = new URL(url);
    return api_request_default().call(dispatcher, { ...options, origin, path: `${pathname}${search}` });
}

;// CONCATENATED MODULE: ./src/registry.ts




/** Every manifest kind a registry may hold, so none answers with a converted manifest. */
const MANIFEST_ACCEPT = [
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
const MiB = 1024 * 1024;
/** The largest answer read: registries cap manifests at 4 MiB (zot and distribution), configs are smaller. */
const DOCUMENT_LIMIT = 4 * MiB;
/** zot's key list: a few hundred bytes a key. */
const KEY_LIST_LIMIT = 1 * MiB;
/** An error's body is read only for its message. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** An answer longer than the limit for its kind: not retried, the registry would send it again. */
class TooLarge extends Error {
}
/**
 * The registry, over the distribution API: the only code that talks HTTP to it. It finds the
 * scheme (https, or http too when `insecure`), learns how the registry wants credentials from
 * its `/v2/` ping, and retries what is transient. Anything else it cannot read is an error:
 * the caller never has to guess.
 */
class RegistryClient {
    options;
    retry;
    timeoutMs;
    log;
    dispatchers = [];
    session;
    tokens = new Map();
    /** Image configurations by repository and digest: two tags of one image read it once. */
    configs = new Map();
    constructor(options) {
        this.options = options;
        this.retry = options.retry ?? defaultRetryPolicy;
        this.timeoutMs = options.timeoutMs ?? 30_000;
        this.log = options.log ?? (() => undefined);
    }
    /**
     * Proves that the credentials are accepted, with one authenticated request before anything
     * is built (zot checks credentials on every request that carries them).
     */
    async checkCredentials() {
        await this.connect();
    }
    /** Does the tag exist, and at which digest? One HEAD request, whatever the number of tags. */
    async tag(name, tag) {
        const response = await this.send('HEAD', `/v2/${name}/manifests/${tag}`, name, {
            accept: MANIFEST_ACCEPT,
            what: `look up the tag ${name}:${tag}`,
            expect: [200, 404],
        });
        if (response.status === 404)
            return { exists: false };
        const digest = header(response, 'docker-content-digest');
        if (digest)
            return { exists: true, digest };
        // A registry that leaves out the header: the digest is the hash of the manifest bytes.
        const manifest = await this.manifest(name, tag, [200]);
        return { exists: true, digest: manifest.digest };
    }
    /**
     * The tag's digest and its image's labels (the first image of an index), in as few requests
     * as the answer allows: the manifest by tag (404: free), then the image configuration.
     */
    async image(name, tag) {
        const found = await this.manifest(name, tag, [200, 404]);
        if (!found)
            return { exists: false };
        let { json } = found;
        if (Array.isArray(json.manifests)) {
            const first = json.manifests[0];
            if (!first?.digest)
                return { exists: true, digest: found.digest, labels: {} };
            json = (await this.manifest(name, first.digest, [200])).json;
        }
        const config = json.config?.digest;
        if (!config)
            return { exists: true, digest: found.digest, labels: {} };
        return { exists: true, digest: found.digest, labels: await this.labels(name, tag, config) };
    }
    /** An image configuration's labels, read once per digest however many tags ask. */
    labels(name, tag, config) {
        const key = `${name}@${config}`;
        let labels = this.configs.get(key);
        if (!labels) {
            labels = this.send('GET', `/v2/${name}/blobs/${config}`, name, {
                what: `read the configuration of ${name}:${tag}`,
                expect: [200],
            }).then((response) => {
                const parsed = parseJson(response.body, `the configuration of ${name}:${tag}`);
                return parsed.config?.Labels ?? {};
            });
            labels.catch(() => this.configs.delete(key));
            this.configs.set(key, labels);
        }
        return labels;
    }
    /**
     * zot's list of the identity's API keys (`GET /zot/auth/apikey`), or undefined where the
     * registry has no such endpoint. The keys themselves are never part of the answer.
     */
    async apiKeys() {
        const session = await this.connect();
        const response = await this.sendRaw(session.dispatcher, 'GET', `${session.baseUrl}/zot/auth/apikey`, this.basicHeader(), 
        // Only advice hangs on this list: one attempt, no waiting on a registry in trouble.
        {
            what: 'list the API keys',
            expect: [200, 401, 403, 404, 405],
            accept: 'application/json',
            retry: { ...this.retry, attempts: 1 },
            limit: KEY_LIST_LIMIT,
        });
        if (response.status !== 200)
            return undefined;
        const json = parseJson(response.body, 'the API key list');
        return Array.isArray(json.apiKeys) ? json.apiKeys : undefined;
    }
    async close() {
        await Promise.all(this.dispatchers.map((d) => d.close().catch(() => undefined)));
    }
    /** The manifest, or undefined on a 404 when `expect` allows one. */
    async manifest(name, reference, expect) {
        const response = await this.send('GET', `/v2/${name}/manifests/${reference}`, name, {
            accept: MANIFEST_ACCEPT,
            what: `read the manifest ${name}${reference.includes(':') ? '@' : ':'}${reference}`,
            expect,
        });
        if (response.status === 404)
            return undefined;
        const digest = header(response, 'docker-content-digest') ??
            `sha256:${(0,external_node_crypto_.createHash)('sha256').update(response.body).digest('hex')}`;
        return { digest, json: parseJson(response.body, `the manifest of ${name}`) };
    }
    /** The `/v2/` ping: picks the scheme, checks the credentials and learns the auth scheme. */
    connect() {
        this.session ??= this.openSession();
        return this.session;
    }
    async openSession() {
        const { host, insecure, credentials } = this.options;
        const schemes = insecure ? ['https', 'http'] : ['https'];
        let lastError;
        for (const scheme of schemes) {
            const baseUrl = `${scheme}://${host}`;
            const { dispatcher, direct } = this.dispatcherFor(scheme);
            let ping;
            try {
                // The ping is not redirected: a 200 from another origin would prove nothing about the key.
                ping = await this.sendRaw(direct, 'GET', `${baseUrl}/v2/`, this.basicHeader(), {
                    what: `reach the registry ${host}`,
                    expect: [200, 401],
                });
            }
            catch (error) {
                lastError = error;
                // Only a failed TLS handshake sends an insecure registry on to plain http.
                if (scheme === 'https' && insecure && isTlsOrProtocolError(error))
                    continue;
                throw error;
            }
            if (ping.status === 200)
                return { baseUrl, dispatcher, auth: { kind: 'basic' } };
            const challenge = parseChallenge(header(ping, 'www-authenticate'));
            if (challenge?.scheme === 'bearer' && challenge.params.realm) {
                const realm = new URL(challenge.params.realm, baseUrl);
                if (realm.protocol !== 'https:' && !(insecure && realm.protocol === 'http:'))
                    throw new errors/* RegistryError */.gl(`The registry ${host} sends clients for tokens to ${realm.origin}, which is not https: the API key would cross the network in clear. ` +
                        "Fix the registry's token realm, or set `insecure_registry: true` for a test registry you trust.");
                const auth = {
                    kind: 'bearer',
                    realm: realm.toString(),
                    service: challenge.params.service,
                };
                // A token for no scope proves the credentials, as `docker login` does.
                if (credentials)
                    await this.fetchToken(dispatcher, auth, undefined);
                return { baseUrl, dispatcher, auth };
            }
            if (credentials)
                throw this.rejectedKey();
            throw new errors/* RegistryError */.gl(`The registry ${host} requires credentials even to read: set \`username\` and \`api_key\`.`, 401);
        }
        throw lastError instanceof Error ? lastError : new errors/* RegistryError */.gl((0,errors/* messageOf */.bD)(lastError));
    }
    async send(method, path, repository, options) {
        const session = await this.connect();
        const authorization = await this.authorizationFor(session, repository);
        const response = await this.sendRaw(session.dispatcher, method, session.baseUrl + path, authorization, {
            ...options,
            expect: [...options.expect, 401, 403],
        });
        if (response.status === 401) {
            if (this.options.credentials)
                throw this.rejectedKey();
            throw new errors/* RegistryError */.gl(`The registry ${this.options.host} refused to let anonymous clients ${options.what} (401): set \`username\` and \`api_key\`.`, 401);
        }
        if (response.status === 403)
            throw new errors/* RegistryError */.gl(`The registry ${this.options.host} denied the request to ${options.what} (403${registryMessage(response)}): the identity lacks \`read\` on ${repository}.`, 403);
        return response;
    }
    /** One request, retried while the failure is transient (network, 429, 5xx). */
    sendRaw(dispatcher, method, url, authorization, options) {
        const headers = { 'user-agent': 'build-push-image' };
        const limit = options.limit ?? DOCUMENT_LIMIT;
        if (options.accept)
            headers.accept = options.accept;
        if (authorization)
            headers.authorization = authorization;
        return withRetries(options.retry ?? this.retry, async () => {
            let response;
            // One deadline for the whole answer (connect, headers and body): undici's own timeouts
            // measure silence, which a registry sending a byte a second never breaks.
            const deadline = AbortSignal.timeout(this.timeoutMs);
            try {
                const answer = await request(dispatcher, url, {
                    method,
                    headers,
                    headersTimeout: this.timeoutMs,
                    bodyTimeout: this.timeoutMs,
                    signal: deadline,
                });
                const expected = options.expect.includes(answer.statusCode);
                const body = await readAtMost(answer.body, expected ? limit : ERROR_BODY_LIMIT, !expected);
                response = { status: answer.statusCode, headers: answer.headers, body };
            }
            catch (error) {
                if (error instanceof TooLarge)
                    throw new errors/* RegistryError */.gl(`Could not ${options.what}: the registry's answer is larger than ${describeSize(limit)}, the most a registry sends for it. Nothing was pushed.`);
                if (deadline.aborted)
                    return { done: false, reason: `no complete answer within ${this.timeoutMs / 1000}s` };
                if (isTlsOrProtocolError(error))
                    throw tlsError(this.options.host, error);
                return { done: false, reason: describeNetworkError(error, this.timeoutMs) };
            }
            if (options.expect.includes(response.status))
                return { done: true, value: response };
            if (response.status === 429 || response.status >= 500)
                return {
                    done: false,
                    reason: `HTTP ${response.status}${registryMessage(response)}`,
                    retryAfterMs: parseRetryAfter(header(response, 'retry-after')),
                };
            throw new errors/* RegistryError */.gl(`Could not ${options.what}: the registry answered HTTP ${response.status}${registryMessage(response)}.`, response.status);
        }, (reason, attempts) => new errors/* RegistryError */.gl(`Could not ${options.what}: ${reason} after ${attempts} attempts. Nothing was pushed; run the job again when the registry answers.`), (reason, waitMs) => this.log(`Registry: ${reason}; retrying in ${Math.round(waitMs / 100) / 10}s`));
    }
    async authorizationFor(session, repository) {
        if (session.auth.kind === 'basic')
            return this.basicHeader();
        const scope = `repository:${repository}:pull`;
        const token = this.tokens.get(scope) ?? (await this.fetchToken(session.dispatcher, session.auth, scope));
        return token ? `Bearer ${token}` : undefined;
    }
    async fetchToken(dispatcher, auth, scope) {
        const url = new URL(auth.realm);
        if (auth.service)
            url.searchParams.set('service', auth.service);
        if (scope)
            url.searchParams.set('scope', scope);
        const response = await this.sendRaw(dispatcher, 'GET', url.toString(), this.basicHeader(), {
            what: `get a token from ${url.origin}`,
            expect: [200, 401, 403],
        });
        if (response.status !== 200) {
            if (this.options.credentials)
                throw this.rejectedKey();
            return undefined;
        }
        const json = parseJson(response.body, 'the token answer');
        const token = json.token ?? json.access_token;
        if (scope && token)
            this.tokens.set(scope, token);
        return token;
    }
    basicHeader() {
        const credentials = this.options.credentials;
        if (!credentials)
            return undefined;
        return `Basic ${Buffer.from(`${credentials.username}:${credentials.apiKey}`).toString('base64')}`;
    }
    rejectedKey() {
        return new errors/* RegistryError */.gl(`The registry ${this.options.host} rejected the API key of \`${this.options.credentials?.username}\` (401): ` +
            'the key may have expired or been revoked, or belong to another identity. ' +
            'Create a new key in zot and update the secret that feeds `api_key`.', 401);
    }
    dispatcherFor(scheme) {
        const base = this.options.dispatcher ??
            new Agent({
                connect: {
                    timeout: this.timeoutMs,
                    rejectUnauthorized: !(this.options.insecure && scheme === 'https'),
                },
                headersTimeout: this.timeoutMs,
                bodyTimeout: this.timeoutMs,
            });
        if (!this.options.dispatcher)
            this.dispatchers.push(base);
        // Blob reads may be redirected to storage; undici drops the credentials on a new origin.
        return { dispatcher: base.compose(redirectInterceptor({ maxRedirections: 3 })), direct: base };
    }
}
/**
 * Reads a body up to `limit` bytes. Past it, the rest is dropped: an error body is kept cut
 * (only its message matters), any other answer fails with TooLarge.
 */
async function readAtMost(body, limit, cut) {
    const chunks = [];
    let size = 0;
    for await (const chunk of body) {
        size += chunk.length;
        if (size > limit) {
            body.destroy();
            if (!cut)
                throw new TooLarge();
            chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
            break;
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}
function describeSize(bytes) {
    return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`;
}
function header(response, name) {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
}
/** The registry's own words from an error body ({"errors":[{"code","message"}]}), if any. */
function registryMessage(response) {
    try {
        const json = JSON.parse(response.body.toString('utf8'));
        const first = json.errors?.[0];
        if (!first)
            return '';
        return `: ${[first.code, first.message].filter(Boolean).join(' ')}`.slice(0, 300);
    }
    catch {
        return '';
    }
}
function parseChallenge(value) {
    if (!value)
        return undefined;
    const match = /^\s*(\w+)\s*(.*)$/.exec(value);
    if (!match)
        return undefined;
    const params = {};
    for (const param of match[2].matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g))
        params[param[1].toLowerCase()] = param[2] ?? param[3];
    return { scheme: match[1].toLowerCase(), params };
}
function parseJson(body, what) {
    try {
        return JSON.parse(body.toString('utf8'));
    }
    catch (error) {
        throw new errors/* RegistryError */.gl(`The registry sent ${what} as something other than JSON.`, undefined, {
            cause: error,
        });
    }
}
const TLS_CODES = new Set([
    'EPROTO',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);
function errorCode(error) {
    let current = error;
    for (let depth = 0; current && depth < 5; depth++) {
        const code = current.code;
        if (typeof code === 'string' && !code.startsWith('UND_ERR'))
            return code;
        current = current.cause;
    }
    const code = error?.code;
    return typeof code === 'string' ? code : undefined;
}
function isTlsOrProtocolError(error) {
    const code = errorCode(error);
    return ((code !== undefined &&
        (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) ||
        /wrong version number|certificate|SSL routines/i.test((0,errors/* messageOf */.bD)(error)));
}
function tlsError(host, error) {
    return new errors/* RegistryError */.gl(`TLS with the registry ${host} failed (${errorCode(error) ?? (0,errors/* messageOf */.bD)(error)}): its certificate is not trusted or it does not speak https. ` +
        'Fix the certificate, or set `insecure_registry: true` for a test registry you trust.', undefined, { cause: error });
}
function describeNetworkError(error, timeoutMs) {
    const code = errorCode(error);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        code === 'UND_ERR_CONNECT_TIMEOUT')
        return `no answer within ${timeoutMs / 1000}s (${code})`;
    return code ? `${code} (${(0,errors/* messageOf */.bD)(error)})` : (0,errors/* messageOf */.bD)(error);
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./src/run-directory.ts





/**
 * A fresh folder for this run only (the auth file, the image ID, the pushed digest), under
 * RUNNER_TEMP, so that two jobs on one runner share nothing. Its path, never its content, is
 * handed to the post step (post.ts), which deletes it.
 */
async function createRunDirectory(env = process.env) {
    const parent = env.RUNNER_TEMP || external_node_os_.tmpdir();
    const directory = await promises_.mkdtemp(external_node_path_.join(parent, names/* RUN_DIRECTORY_PREFIX */.xr));
    await promises_.chmod(directory, 0o700);
    core/* saveState */.LZ(names/* State */.Uw.RunDirectory, directory);
    return directory;
}
/** Where the run records the child processes it starts (see children.ts). */
function childrenDirectory(runDirectory) {
    return external_node_path_.join(runDirectory, 'children');
}

;// CONCATENATED MODULE: ./src/timeline.ts

/** Runs each phase in a log group and keeps how long it took, for the job summary. */
class Timeline {
    phases = [];
    async phase(name, work) {
        const start = performance.now();
        try {
            return await core/* group */.Os(name, work);
        }
        finally {
            this.phases.push({ name, ms: performance.now() - start });
        }
    }
}

;// CONCATENATED MODULE: ./src/key-expiry.ts



const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The identity's soonest-expiring key that is still valid, when it expires within the
 * threshold. zot does not say which entry is the key in use, so the soonest one is named.
 */
function soonestExpiringKey(keys, now, thresholdDays) {
    let soonest;
    for (const key of keys) {
        if (key.isExpired || !key.expirationDate)
            continue;
        const expires = new Date(key.expirationDate);
        // zot writes a zero time for a key that never expires.
        if (Number.isNaN(expires.getTime()) || expires.getUTCFullYear() < 1970 || expires <= now)
            continue;
        if (!soonest || expires < soonest.expires)
            soonest = { label: key.label || '(no label)', expires };
    }
    if (!soonest)
        return undefined;
    const days = (soonest.expires.getTime() - now.getTime()) / DAY_MS;
    return days <= thresholdDays ? { ...soonest, days: Math.round(days) } : undefined;
}
/** Warns before the key expires; a registry without the endpoint, or any failure, is only noted. */
async function warnOfKeyExpiry(registry, thresholdDays, now) {
    let keys;
    try {
        keys = await registry.apiKeys();
    }
    catch (error) {
        info(`Could not read the API key list (${(0,errors/* messageOf */.bD)(error)}); skipping the expiry check.`);
        return;
    }
    if (!keys) {
        info('The registry has no API key list (not zot?); skipping the expiry check.');
        return;
    }
    const soonest = soonestExpiringKey(keys, now, thresholdDays);
    if (soonest)
        core/* warning */.$e(`The API key "${soonest.label}" expires on ${soonest.expires.toISOString().slice(0, 10)} ` +
            `(in ${soonest.days} day${soonest.days === 1 ? '' : 's'}). Create a new key in zot and update the secret that feeds \`api_key\` before then.`);
}

;// CONCATENATED MODULE: ./src/main.ts

















/** The main step. The state it saves first tells the post step (see index.ts) apart. */
async function run() {
    core/* saveState */.LZ(names/* State */.Uw.IsPost, 'true');
    // A cancelled step ends what it started (a build, a push holding credentials), then dies of
    // the same signal, as it would have without this handler; the post step still runs.
    for (const signal of ['SIGTERM', 'SIGINT'])
        process.once(signal, () => {
            void (0,children/* endChildren */.PH)().finally(() => process.kill(process.pid, signal));
        });
    try {
        await main();
    }
    catch (error) {
        // The last line of defence: no message leaves with the key in it.
        core/* setFailed */.C1(scrub((0,errors/* messageOf */.bD)(error), [core/* getInput */.V4(names/* Input */.pd.ApiKey)]));
    }
}
async function main() {
    const inputs = readInputs();
    const tags = {
        image: `${inputs.registry}/${inputs.imageName}`,
        version: inputs.version,
        sha: inputs.sha,
    };
    setReferenceOutputs(tags);
    const runDirectory = await createRunDirectory();
    (0,children/* recordChildrenIn */.q8)(childrenDirectory(runDirectory));
    const registry = new RegistryClient({
        host: inputs.registry,
        insecure: inputs.insecureRegistry,
        credentials: inputs.credentials,
        timeoutMs: registryTimeoutMs(process.env),
        log: info,
    });
    const timeline = new Timeline();
    try {
        await timeline.phase('Check the key', () => checkKey(inputs, registry));
        const check = async (phase) => decide(await timeline.phase(phase, () => readPublication(registry, inputs)), tags);
        const plan = await check('Check the registry');
        info(plan.reason);
        const { result, digest, reason } = inputs.push
            ? await publishConverging(plan, () => check('Check the registry again'), {
                inputs,
                tags,
                registry,
                runDirectory,
                timeline,
                sleep: defaultRetryPolicy.sleep,
            })
            : await buildOnly(plan, inputs, runDirectory, timeline);
        setResultOutputs(result, digest);
        await report({ tags, result, digest, detail: reason, phases: timeline.phases });
    }
    catch (error) {
        await report({ tags, detail: (0,errors/* messageOf */.bD)(error), phases: timeline.phases });
        throw error;
    }
    finally {
        await registry.close();
    }
}
/** How long one registry request may wait for an answer: BUILD_PUSH_IMAGE_TIMEOUT_SECONDS, 30 by default. */
function registryTimeoutMs(env) {
    const seconds = Number(env.BUILD_PUSH_IMAGE_TIMEOUT_SECONDS);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
}
function readInputs() {
    const apiKey = core/* getInput */.V4(names/* Input */.pd.ApiKey);
    const username = core/* getInput */.V4(names/* Input */.pd.Username);
    // Masked before anything could print them, the Basic header's encoding included.
    if (apiKey) {
        core/* setSecret */.Pq(apiKey);
        core/* setSecret */.Pq(Buffer.from(`${username}:${apiKey}`).toString('base64'));
    }
    const shown = Object.values(names/* Input */.pd).filter((name) => name !== names/* Input */.pd.ApiKey);
    core/* debug */.Yz(`inputs: ${shown.map((name) => `${name}=${JSON.stringify(core/* getInput */.V4(name))}`).join(' ')}`);
    return parseInputs((name) => core/* getInput */.V4(name));
}
/** One authenticated request proves the key before anything is built or pushed. */
async function checkKey(inputs, registry) {
    await registry.checkCredentials();
    if (!inputs.credentials) {
        info(`Reading ${inputs.registry} anonymously (not pushing).`);
        return;
    }
    info(`${inputs.registry} accepted the API key of ${inputs.credentials.username}.`);
    await warnOfKeyExpiry(registry, inputs.keyExpiryWarningDays, new Date());
}
async function buildOnly(plan, inputs, runDirectory, timeline) {
    await timeline.phase('Build', () => build(inputs, buildPlan(inputs, loadInto(runDirectory), process.env, new Date())));
    return { result: names/* Result */.Q7.Built, reason: plan.reason };
}


/***/ })

};
