/** Delivery receipts: Appendix B text, receipt TLVs, and upstream message id matching. */
export {
  parseReceiptText,
  formatReceiptText,
  parseReceiptDate,
  receiptFromPdu,
  stateOfStat,
  statOfMessageState,
  messageStateOf,
  isFinalState,
  type Receipt,
  type ReceiptStat,
  type ReceiptState,
  type ReceiptCarrier,
} from './receipt.js';
export { normalizeMessageId, messageIdKeys, sameMessageId } from './message-id.js';
