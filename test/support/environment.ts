// Node 20 runs these tests; the SDK's warning that its 2027 releases need Node 22 is noise in every test run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// What template.yaml sets on every function: the service name of the handlers' logs and metrics, and the namespace.
process.env.POWERTOOLS_SERVICE_NAME = 'ai-opt-out-config-rule';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'AiOptOutConfigRule';
