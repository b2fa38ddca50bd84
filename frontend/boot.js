import init from '/pkg/kith_web.js';
init();
