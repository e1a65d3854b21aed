export {
  Gateway,
  type Accepted,
  type SubmitRequest,
  type CustomerReceipt,
  type CustomerMo,
  type GatewayEvents,
  type GatewayOptions,
  type Quote,
  type QuoteRequest,
} from './gateway.js';
export { draftOf, type SubmitDraft, type DraftInput } from './draft.js';
export {
  encodeContent,
  encodingOfCoding,
  encodingOfDataCoding,
  decodeHex,
  textOf,
  UnencodableCharacterError,
  type Content,
  type EncodedContent,
  type Encoding,
} from './content.js';
export {
  MessageViews,
  Accounts,
  ApiKeys,
  IdempotencyRecords,
  InboundViews,
  OptOuts,
  WebhookViews,
  interfaceServices,
  servicesOf,
  type InterfaceServices,
  type HistoryEntry,
  type MessagePart,
} from './views.js';
export { Outbox, noticeOf, retryDelayMs, type CustomerNotice, type OutboxOptions } from './outbox.js';
export { RejectedError, reject, ConnectorChangeError, connectorChange } from './errors.js';
export {
  sendKannelReply,
  kannelReplyId,
  type KannelReplyOrder,
  type KannelReplyGateway,
} from './kannel-reply.js';
export {
  isTransient,
  isHealthy,
  type Connector,
  type ConnectorStatus,
  type ConnectorFailure,
  type SubmitOutcome,
  type InboundPdu,
  type LateSubmit,
  type ProviderCallback,
  type InboundHttpRequest,
  type InboundHttpAnswer,
} from './connector.js';
export {
  matchRoute,
  matchMoRoute,
  mtRouteMatches,
  moRouteMatches,
  candidates,
  costOf,
  weightedPick,
  inTimeWindow,
  localTime,
  destinationContext,
  type RouteDef,
  type RouteType,
  type MtFilters,
  type MoRouteDef,
  type MoContext,
  type RoutingContext,
  type TimeWindow,
} from './router.js';
export {
  checkSubmission,
  partsOf,
  isBinaryCoding,
  Throttles,
  customerRateKey,
  type RateShares,
  type GivenArguments,
  type Submission,
} from './accounts.js';
export { QueuedFailover, moveTargets, pastGrace, type QueuedFailoverOptions } from './failover.js';
export { UrlGuard, CheckedUrls, RefusedUrlError, type UrlGuardOptions } from './url-guard.js';
export { WebhookSender, type WebhookSenderOptions } from './webhooks.js';
export {
  signWebhook,
  webhooksForState,
  webhookForMo,
  inboundMediaView,
  restStatus,
  DEFAULT_WEBHOOK_RETENTION_MS,
  type StateReport,
} from './webhook-items.js';
// The store types the interfaces read through the query services (listing, keys, idempotency).
export type {
  Store,
  MessageFilter,
  MoQuery,
  IdempotencyBegin,
  InboundMessage,
  ApiKeyInfo,
} from '../store/store.js';
export {
  MoneyService,
  RateCards,
  smsPrice,
  mmsPrice,
  lowBalanceNotice,
  type PriceFrom,
  type Card,
} from './money.js';
export { DEFAULT_LINK_TTL_S, fallbackOf, ownMedia, smsWithLinks } from './mms.js';
export type { MmsOptions } from './options.js';
export type {
  LedgerEntry,
  LedgerKind,
  LedgerQuery,
  MoneyState,
  RateCardEntry,
  ReportCounts,
  ReportGroup,
  ReportQuery,
} from '../store/money.js';
export { LEDGER_KINDS, REPORT_GROUPS, DELIVERY_BUCKETS, bucketUpperMs, quantileMs } from '../store/money.js';
export { RetentionPurger, type RetentionOptions, type PurgeReport, type AccountAges } from './retention.js';
export { RetentionArchive, archiveFileName, archivedMessage, archivedMo } from './retention-archive.js';
export { Erasures, type ErasureRecord, type ErasureRecorder } from './erasure.js';
export {
  MediaLibrary,
  MMS_MEDIA_TYPES,
  mediaError,
  refOf,
  type MediaItem,
  type MediaLibraryOptions,
} from './media.js';
export {
  Cluster,
  LEADER_LEASE,
  fairShares,
  type ClusterOptions,
  type ClusterEvents,
  type ClusterStatus,
  type LoadSource,
} from './cluster.js';
export { ClusterBoundConnector, bindLease, planSlots, holderShare, type BindCluster } from './bind-slots.js';
