export const id = 661;
export const ids = [661];
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
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



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
        args: ['-c', 'echo "$$" > "$0" && exec "$@"', file, command, ...args],
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
/** The process ID recorded in `file`, while that process still runs `command`. */
function recordedPid(file, command) {
    let pid;
    try {
        pid = Number(node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(file, 'utf8').trim());
    }
    catch {
        return undefined;
    }
    return Number.isInteger(pid) && pid > 1 && runs(pid, command) ? pid : undefined;
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
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _children_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1700);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3916);
/* harmony import */ var _names_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6455);





// The post step runs on every job, so it starts light: no @actions/core (which loads an HTTP
// client), only the state the runner hands over as STATE_* and two workflow commands.
function warning(message) {
    const escaped = message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    process.stdout.write(`::warning::${escaped}\n`);
}
/** Removes this run's folder, credentials included, after a failure too. Warns; never fails the job. */
async function post(env = process.env) {
    const directory = env[`STATE_${_names_js__WEBPACK_IMPORTED_MODULE_4__/* .State */ .Uw.RunDirectory}`];
    if (!directory)
        return;
    if (!node_path__WEBPACK_IMPORTED_MODULE_1__.basename(directory).startsWith(_names_js__WEBPACK_IMPORTED_MODULE_4__/* .RUN_DIRECTORY_PREFIX */ .xr)) {
        warning(`Not removing ${directory}: it is not a folder this action made.`);
        return;
    }
    // A step that was cancelled, or killed before it could, may have left children running.
    const ended = await (0,_children_js__WEBPACK_IMPORTED_MODULE_2__/* .endChildren */ .PH)(node_path__WEBPACK_IMPORTED_MODULE_1__.join(directory, 'children'));
    if (ended > 0)
        process.stdout.write(`Ended ${ended} process(es) the main step had left running.\n`);
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm(directory, { recursive: true, force: true });
        process.stdout.write(`Removed ${directory} (credentials of this run).\n`);
    }
    catch (error) {
        warning(`Could not remove ${directory}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(error)}. It holds this run's registry credentials: delete it.`);
    }
}


/***/ })

};
