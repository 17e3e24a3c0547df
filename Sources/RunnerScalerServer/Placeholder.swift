import Hummingbird
import HummingbirdTLS
enum ServerPlaceholder {}
