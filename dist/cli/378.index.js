"use strict";
exports.id = 378;
exports.ids = [378];
exports.modules = {

/***/ 5378:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   HttpProxyAgent: () => (/* reexport safe */ http_proxy_agent__WEBPACK_IMPORTED_MODULE_1__.HttpProxyAgent),
/* harmony export */   HttpsProxyAgent: () => (/* reexport safe */ https_proxy_agent__WEBPACK_IMPORTED_MODULE_0__.HttpsProxyAgent)
/* harmony export */ });
/* harmony import */ var https_proxy_agent__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3669);
/* harmony import */ var https_proxy_agent__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(https_proxy_agent__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var http_proxy_agent__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1970);
/* harmony import */ var http_proxy_agent__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(http_proxy_agent__WEBPACK_IMPORTED_MODULE_1__);
// The proxy agent libraries, in one lazily loaded chunk: only a run with a proxy configured loads them.




/***/ })

};
;