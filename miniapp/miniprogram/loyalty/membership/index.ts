import { register } from '../../lib/page';
import { membershipPage } from './page';

register(membershipPage);
