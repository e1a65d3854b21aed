export { buildKannelApp, kannelApi, type KannelAppOptions, type KannelApiOptions } from './app.js';
export { KannelApiError } from './errors.js';
export { parseCgi, parseSendRequest, parseMetaData, type CgiArgs, type SendRequest } from './send-args.js';
