export { brokerService } from './broker-service';
