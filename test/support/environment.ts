// Node 20 runs these tests; the SDK's warning that its 2027 releases need Node 22 is noise in every test run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
