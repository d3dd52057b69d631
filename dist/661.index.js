export const id = 661;
export const ids = [661];
export const modules = {

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bD: () => (/* binding */ messageOf),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   gl: () => (/* binding */ RegistryError),
/* harmony export */   qD: () => (/* binding */ TagTaken),
/* harmony export */   uN: () => (/* binding */ tagTaken),
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
    constructor(message, options) {
        super(message, options);
        this.name = 'RegistryError';
    }
}
/**
 * A tag this run meant to write was taken first (the registry refused the write with 403, or
 * the last look before the write found it): the registry's state has moved on, so the run
 * reads it again and decides anew.
 */
class TagTaken extends UserError {
    taken;
    constructor(message, 
    /** What was taken: the tag's reference, and the digest found there when the run looked. */
    taken, options) {
        super(message, options);
        this.taken = taken;
        this.name = 'TagTaken';
    }
}
/** `reference` taken by another run (holding `digest` when it looked): the run reads again and plans anew. */
function tagTaken(message, reference, digest) {
    return new TagTaken(message, { reference, digest });
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

/***/ 6661:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   post: () => (/* binding */ post)
/* harmony export */ });
/* unused harmony export run */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _process_children_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1414);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _process_run_folder_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2013);
/* harmony import */ var _process_saved_state_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7470);
/* harmony import */ var _report_surface_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(1997);






// The post step runs on every job, so it starts light: none of main's modules (undici, the
// registry client), only the state main saved and the run folder's checks.
/**
 * Removes this run's folder, credentials included, after a failure too, and ends any child
 * the main step left running. It acts only on the folder this run's main step made (see
 * notThisRunsFolder), whatever the state says. Warns; never fails the job. The command line,
 * which has no post step, calls it as it ends, over the state it kept in memory.
 */
async function post() {
    const { directory, token } = (0,_process_saved_state_js__WEBPACK_IMPORTED_MODULE_4__/* .savedRunFolder */ .F2)();
    if (!directory)
        return;
    const why = (0,_process_run_folder_js__WEBPACK_IMPORTED_MODULE_3__/* .notThisRunsFolder */ .mK)(directory, token);
    if (why) {
        (0,_report_surface_js__WEBPACK_IMPORTED_MODULE_5__/* .surface */ .MT)().warning(`Not removing ${JSON.stringify(directory)}: ${why}.`);
        return;
    }
    // A step that was cancelled, or killed before it could, may have left children running.
    const ended = await (0,_process_children_js__WEBPACK_IMPORTED_MODULE_1__/* .endChildren */ .PH)((0,_process_run_folder_js__WEBPACK_IMPORTED_MODULE_3__/* .childrenDirectory */ .di)(directory));
    if (ended > 0)
        (0,_report_surface_js__WEBPACK_IMPORTED_MODULE_5__/* .surface */ .MT)().info(`Ended ${ended} process(es) this run had left running.`);
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm(directory, { recursive: true, force: true });
        (0,_report_surface_js__WEBPACK_IMPORTED_MODULE_5__/* .surface */ .MT)().info(`Removed ${directory} (credentials of this run).`);
    }
    catch (error) {
        (0,_report_surface_js__WEBPACK_IMPORTED_MODULE_5__/* .surface */ .MT)().warning(`Could not remove ${directory}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .messageOf */ .bD)(error)}. It holds this run's registry credentials: delete it.`);
    }
}
/** The entry point `@github/local-action --post` calls. */
const run = (/* unused pure expression or super */ null && (post));


/***/ }),

/***/ 1414:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   PH: () => (/* binding */ endChildren),
/* harmony export */   q8: () => (/* binding */ recordChildrenIn),
/* harmony export */   ql: () => (/* binding */ launch)
/* harmony export */ });
/* unused harmony exports startTime, isRunning */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



// The child processes this run starts (docker, skopeo), so that a cancelled step ends them and
// the post step makes sure none is left. Each child runs behind `sh`, which writes its process
// ID and its start time (field 22 of /proc/<pid>/stat, which exec keeps) to a file of its own in
// this run's folder and then becomes the command; the file is removed when the child ends. A
// process is signalled only while its ID, command and start time are all still the recorded
// ones: a recycled ID is never signalled. `timeout`, the usual command, leads a process group of its own
// (the tool and anything it starts), so ending a child means ending that group.
// Loaded by the post step too: node built-ins only.
/** By its full path: the job's PATH may lack it (a runner without coreutils still has it). */
const SHELL = '/bin/sh';
/**
 * Writes `<pid> <start time>` to the file named by $0, then becomes the command. The start time
 * is read with shell built-ins only (a function has its own positional parameters, so "$@" is
 * kept): the fields after the command's name, which may hold spaces, end with `) `.
 */
const RECORD_AND_EXEC = 'started() { read -r s < /proc/$$/stat || return; s=${s##*) }; set -- $s; shift 19; echo "$1"; }; ' +
    'echo "$$ $(started 2>/dev/null)" > "$0" && exec "$@"';
let ledger;
let started = 0;
/** From now on, every child started through `launch` is recorded in `directory`. */
function recordChildrenIn(directory) {
    node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync(directory, { recursive: true, mode: 0o700 });
    ledger = directory;
}
/**
 * Where children are recorded: the run's folder once main has made it; before that (or in a
 * test), a private folder of this process, removed when it exits.
 */
function currentLedger() {
    if (!ledger) {
        const own = node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir(), 'build-push-image-children-'));
        process.once('exit', () => node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(own, { recursive: true, force: true }));
        ledger = own;
    }
    return ledger;
}
/** The command line that starts `command` recorded, and how to end it or forget it. */
function launch(command, args) {
    if (!node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(SHELL))
        return { command, args, ended: () => undefined, stop: async () => undefined };
    const file = node_path__WEBPACK_IMPORTED_MODULE_2__.join(currentLedger(), `${started++}.${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(command)}`);
    return {
        command: SHELL,
        args: ['-c', RECORD_AND_EXEC, file, command, ...args],
        ended: () => node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(file, { force: true }),
        stop: async (graceMs) => {
            const pid = recordedPid(file, node_path__WEBPACK_IMPORTED_MODULE_2__.basename(command));
            if (pid)
                await end([pid], graceMs);
        },
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
        const pid = recordedPid(node_path__WEBPACK_IMPORTED_MODULE_2__.join(directory, entry), entry.slice(entry.indexOf('.') + 1));
        if (pid)
            running.push(pid);
    }
    await end(running, graceMs);
    return running.length;
}
/** The process ID recorded in `file`, while that process still runs `command` and started when recorded. */
function recordedPid(file, command) {
    let fields;
    try {
        fields = node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(file, 'utf8').trim().split(' ');
    }
    catch {
        return undefined;
    }
    const pid = Number(fields[0]);
    const started = fields[1];
    if (!Number.isInteger(pid) || pid <= 1 || !started)
        return undefined;
    return runs(pid, command) && startTime(pid) === started ? pid : undefined;
}
/** When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function startTime(pid) {
    try {
        const stat = node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The command's name (field 2) is in parentheses and may hold spaces: count after its end.
        return stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
    }
    catch {
        return undefined;
    }
}
async function end(running, graceMs) {
    for (const pid of running)
        signal(pid, 'SIGTERM');
    for (let waited = 0; waited < graceMs && running.some((pid) => isRunning(pid)); waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
    for (const pid of running)
        if (isRunning(pid))
            signal(pid, 'SIGKILL');
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
        return node_path__WEBPACK_IMPORTED_MODULE_2__.basename(argv0) === command;
    }
    catch {
        return false;
    }
}


/***/ }),

/***/ 2013:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Gj: () => (/* binding */ runParent),
/* harmony export */   HZ: () => (/* binding */ createRunDirectory),
/* harmony export */   di: () => (/* binding */ childrenDirectory),
/* harmony export */   mK: () => (/* binding */ notThisRunsFolder)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _names_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6455);
/* harmony import */ var _saved_state_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(7470);






// This run's own folder (the auth file, the hand-over, the child records), and how the post
// step knows it for this run's: directly under RUNNER_TEMP, not a link, holding a marker file
// whose random token the saved state holds too.
/** The marker file in the run's folder, holding the token the state holds. */
const MARKER = '.build-push-image-run';
/**
 * Where run folders are made: RUNNER_TEMP (else the system's temp folder), absolute and with
 * every link resolved, so that the build context check and the post step compare real paths.
 */
function runParent(env = process.env, cwd = process.cwd()) {
    const parent = node_path__WEBPACK_IMPORTED_MODULE_3__.resolve(cwd, env.RUNNER_TEMP || node_os__WEBPACK_IMPORTED_MODULE_2__.tmpdir());
    try {
        return node_fs__WEBPACK_IMPORTED_MODULE_1__.realpathSync(parent);
    }
    catch {
        return parent;
    }
}
/**
 * A fresh folder for this run only, under RUNNER_TEMP, so that two jobs on one runner share
 * nothing. Its path and token, never its content, are handed to the post step, which deletes it.
 */
async function createRunDirectory(env = process.env) {
    const directory = await node_fs__WEBPACK_IMPORTED_MODULE_1__.promises.mkdtemp(node_path__WEBPACK_IMPORTED_MODULE_3__.join(runParent(env), _names_js__WEBPACK_IMPORTED_MODULE_4__/* .RUN_DIRECTORY_PREFIX */ .xr));
    await node_fs__WEBPACK_IMPORTED_MODULE_1__.promises.chmod(directory, 0o700);
    const token = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(16).toString('hex');
    await node_fs__WEBPACK_IMPORTED_MODULE_1__.promises.writeFile(node_path__WEBPACK_IMPORTED_MODULE_3__.join(directory, MARKER), token, { mode: 0o600, flag: 'wx' });
    (0,_saved_state_js__WEBPACK_IMPORTED_MODULE_5__/* .saveRunFolder */ .rf)(directory, token);
    return directory;
}
/**
 * Why `directory` is not this run's folder, or undefined when it is: directly under the run
 * parent, a real folder (not a link), its name ours, its marker a plain file holding `token`.
 */
function notThisRunsFolder(directory, token, env = process.env) {
    if (!node_path__WEBPACK_IMPORTED_MODULE_3__.isAbsolute(directory) || node_path__WEBPACK_IMPORTED_MODULE_3__.dirname(directory) !== runParent(env))
        return `it is not directly under RUNNER_TEMP (${runParent(env)})`;
    if (!node_path__WEBPACK_IMPORTED_MODULE_3__.basename(directory).startsWith(_names_js__WEBPACK_IMPORTED_MODULE_4__/* .RUN_DIRECTORY_PREFIX */ .xr))
        return 'it is not a folder this action made';
    try {
        if (!node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync(directory).isDirectory())
            return 'it is not a folder (a link, or a file)';
        const marker = node_path__WEBPACK_IMPORTED_MODULE_3__.join(directory, MARKER);
        if (!node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync(marker).isFile() || !token || node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync(marker, 'utf8') !== token)
            return "its marker does not hold this run's token";
    }
    catch {
        return "it holds no marker of this run's";
    }
    return undefined;
}
/** Where the run records the child processes it starts (see children.ts). */
function childrenDirectory(runDirectory) {
    return node_path__WEBPACK_IMPORTED_MODULE_3__.join(runDirectory, 'children');
}


/***/ })

};
