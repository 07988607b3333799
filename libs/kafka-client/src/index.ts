export { kafkaLogCreator } from './kafka-logging';
