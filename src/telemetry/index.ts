export { startTracing, shutdownTracing, tracingStarted, type Tracing } from './start-tracing';
export { tracingSettings, type TracingSettings } from './tracing-settings';
export {
  contextFromTraceparent,
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  traceparentForEvents,
  withinTrace,
} from './trace-context';
export { commitAttributes, eventAttributes, inSpan, SpanKind, tracer } from './event-spans';
