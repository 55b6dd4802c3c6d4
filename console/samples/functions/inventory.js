// Inventory tutorial: check the order's stock, then answer the Check Inventory callback.
// Node.js with the SDK v3 (the tutorial's function is Node.js).
const { SFNClient, SendTaskSuccessCommand } = require('@aws-sdk/client-sfn');

const stepfunctions = new SFNClient({});

exports.handler = async (event) => {
  for (const record of event.Records) {
    const message = JSON.parse(record.body);
    console.log('Checking inventory for:', message.MessageTitle);
    await stepfunctions.send(new SendTaskSuccessCommand({
      taskToken: message.TaskToken,
      output: JSON.stringify({ inventory: 'in stock', checkedMessage: record.messageId }),
    }));
  }
  return { checked: event.Records.length };
};
