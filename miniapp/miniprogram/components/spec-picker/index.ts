import { register } from '../../lib/page';
import { specPicker } from './component';

register(specPicker);
