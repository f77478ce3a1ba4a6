#include <iostream>

int main() {
    std::cout << "psguard " << PSGUARD_VERSION << "\n";
    return 0;
}
