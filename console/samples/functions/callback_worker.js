// Callback Pattern Example: for each queue message, answer the task token it carries.
// Node.js with the SDK v2, as AWS's own worker for this sample is.
console.log('Loading function');
const AWS = require('aws-sdk');

const stepfunctions = new AWS.StepFunctions();

exports.handler = (event, context, callback) => {
  console.log('Received event:', JSON.stringify(event));
  const answers = event.Records.map((record) => {
    const { TaskToken } = JSON.parse(record.body);
    const params = { taskToken: TaskToken, output: '"Callback task completed successfully."' };
    console.log(`Completing the callback task of message ${record.messageId}`);
    return stepfunctions.sendTaskSuccess(params).promise();
  });
  Promise.all(answers).then(
    () => callback(null, { answered: answers.length }),
    (error) => callback(error.message),
  );
};
