import { register } from '../../lib/page';
import { addressEditPage } from './page';

register(addressEditPage);
