import { register } from '../../lib/page';
import { addressesPage } from './page';

register(addressesPage);
