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

/***/ 6661:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   post: () => (/* binding */ post)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _names_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6455);




// The post step runs on every job, so it starts light: no @actions/core (which loads an HTTP
// client), only the state the runner hands over as STATE_* and two workflow commands.
function warning(message) {
    const escaped = message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    process.stdout.write(`::warning::${escaped}\n`);
}
/** Removes this run's folder, credentials included, after a failure too. Warns; never fails the job. */
async function post(env = process.env) {
    const directory = env[`STATE_${_names_js__WEBPACK_IMPORTED_MODULE_3__/* .State */ .Uw.RunDirectory}`];
    if (!directory)
        return;
    if (!node_path__WEBPACK_IMPORTED_MODULE_1__.basename(directory).startsWith(_names_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_DIRECTORY_PREFIX */ .xr)) {
        warning(`Not removing ${directory}: it is not a folder this action made.`);
        return;
    }
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm(directory, { recursive: true, force: true });
        process.stdout.write(`Removed ${directory} (credentials of this run).\n`);
    }
    catch (error) {
        warning(`Could not remove ${directory}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .messageOf */ .bD)(error)}. It holds this run's registry credentials: delete it.`);
    }
}


/***/ })

};
