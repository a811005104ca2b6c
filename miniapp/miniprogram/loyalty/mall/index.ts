import { register } from '../../lib/page';
import { mallPage } from './page';

register(mallPage);
