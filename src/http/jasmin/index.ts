export {
  buildJasminApp,
  jasminApi,
  type JasminAppOptions,
  type JasminApiOptions,
  type ResponseFormat,
} from './app.js';
export { JasminApiError } from './errors.js';
export { parseSendArgs, encodeContent, parseSmppTime } from './send-args.js';
