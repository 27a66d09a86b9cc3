/// Process supervision for Mooring.
import CCurl
