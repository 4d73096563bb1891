import { main } from '../../src/runtime/run-service';
import { accountService } from './account-service';

main(accountService);
